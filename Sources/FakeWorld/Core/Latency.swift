import Foundation

/// Simulated durations, from `FAKEWORLD_LATENCY` (`name=duration,...`; Go durations; default 0).
package struct Latencies: Sendable, Equatable {
    package enum Name: String, CaseIterable, Sendable {
        case clusterCreate = "cluster-create"
        case podReady = "pod-ready"
        case metallbReady = "metallb-ready"
        case crdEstablished = "crd-established"
        case helmInstall = "helm-install"
        case crashBackoff = "crash-backoff"
        case imagePull = "image-pull"
        case imageLoad = "image-load"

        package var help: String {
            switch self {
            case .clusterCreate: return "slept inside `kind create cluster` before it returns"
            case .podReady: return "a pod (Vault, operator, other workloads) turns Ready this long after creation"
            case .metallbReady: return "MetalLB controller/speaker pods turn Ready (and the webhook answers) this long after install"
            case .crdEstablished: return "a CustomResourceDefinition turns Established this long after creation"
            case .helmInstall: return "slept inside `helm upgrade --install` before it returns"
            case .crashBackoff: return "the kubelet's first crash back-off (default 10s; doubles per restart up to 30x)"
            case .imagePull: return "one image pull by the kubelet on one node (pulls on a node run one after another)"
            case .imageLoad: return "slept inside `kind load docker-image`: this per image (the nodes import concurrently)"
            }
        }
    }

    package var values: [Name: Double] = [:]

    package subscript(name: Name) -> Double { values[name] ?? (name == .crashBackoff ? 10 : 0) }

    package init(values: [Name: Double] = [:]) { self.values = values }

    package static func parse(_ text: String?) throws(ConfigError) -> Latencies {
        var result = Latencies()
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return result }
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { throw ConfigError("FAKEWORLD_LATENCY: \"\(item)\" is not name=duration") }
            guard let name = Name(rawValue: parts[0]) else {
                throw ConfigError(
                    "FAKEWORLD_LATENCY: unknown latency \"\(parts[0])\"; known: \(Name.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let seconds = GoDuration.parse(parts[1]), seconds >= 0 else {
                throw ConfigError(
                    "FAKEWORLD_LATENCY: invalid duration \"\(parts[1])\" for \(parts[0]) (use Go durations such as 500ms, 3s, 1m)")
            }
            result.values[name] = seconds
        }
        return result
    }
}

/// A configuration error in FAKEWORLD_* variables.
package struct ConfigError: Error, Equatable, CustomStringConvertible {
    package var description: String
    init(_ description: String) { self.description = description }
}
