/// One release as `helm list -o json` shows it.
package struct HelmRelease: Sendable, Equatable {
    /// A release status (open set: helm may add more).
    package struct Status: Sendable, Hashable, CustomStringConvertible {
        package var rawValue: String
        package init(_ rawValue: String) { self.rawValue = rawValue }
        package static let deployed = Status("deployed")
        package static let failed = Status("failed")
        package static let pendingInstall = Status("pending-install")
        package static let pendingUpgrade = Status("pending-upgrade")
        package static let pendingRollback = Status("pending-rollback")
        package static let superseded = Status("superseded")
        package static let uninstalling = Status("uninstalling")
        package static let uninstalled = Status("uninstalled")
        package static let unknown = Status("unknown")
        /// An operation is in flight (helm refuses another one).
        package var isPending: Bool { rawValue.hasPrefix("pending-") }
        package var description: String { rawValue }
    }

    package var name: String
    package var namespace: String
    /// helm prints the revision as a STRING ("1"); nil when it is not a number.
    package var revision: Int?
    package var status: Status
    /// `<chart name>-<chart version>`, e.g. `vault-operator-1.12.0`.
    package var chart: String
    package var appVersion: String
    /// Go `time.String()` text, or `-`.
    package var updated: String

    package init(
        name: String, namespace: String, revision: Int?, status: Status, chart: String, appVersion: String = "", updated: String = ""
    ) {
        self.name = name
        self.namespace = namespace
        self.revision = revision
        self.status = status
        self.chart = chart
        self.appVersion = appVersion
        self.updated = updated
    }

    /// The chart version: what follows the first `-` that starts `N.N` (`vault-operator-1.12.0` →
    /// `1.12.0`, `abc-hello-0.1.0+rc-1.2.0-19` → `0.1.0+rc-1.2.0-19`).
    package var chartVersion: String? {
        let chars = Array(chart)
        for i in chars.indices where chars[i] == "-" {
            var j = i + 1
            if j < chars.count, chars[j] == "v" { j += 1 }
            var digits = 0
            while j < chars.count, chars[j].isNumber { j += 1; digits += 1 }
            if digits > 0, j + 1 < chars.count, chars[j] == ".", chars[j + 1].isNumber { return String(chars[(i + 1)...]) }
        }
        return nil
    }
}
