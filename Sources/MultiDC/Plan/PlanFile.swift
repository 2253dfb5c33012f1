import Foundation
import YAML

/// A saved plan (`multidc diff SPEC --out plan.json`): the `multidc.plan/v1` document plus what
/// `multidc apply plan.json` needs to run exactly that plan — where the spec is (its path, or a
/// path at a git revision), the digest of the spec, its templates and manifests, and the
/// `--cluster` targets. Never a secret: the plan prints sensitive values as `(sensitive)`, and
/// the spec is named, not copied.
///
/// Applying it re-reads the spec (its digest must be the same), observes the world, plans again
/// and refuses — saying what moved — unless the new plan is the saved one, action by action
/// (Terraform's saved-plan workflow: plan in the pull request, apply on merge).
package struct PlanFile: Sendable, Equatable {
    package static let formatVersion = PlanDocument.formatVersion

    /// The spec file as an absolute path.
    package var spec: String
    /// The git revision the spec was read at (`--rev`), if any.
    package var revision: String?
    package var specDigest: String
    package var targets: [String]
    package var topology: String
    /// What each changing action was: `id → "change|dataLoss|fields…"`, compared on apply.
    package var changes: [SavedChange]

    /// One changing action as saved.
    package struct SavedChange: Sendable, Equatable {
        package var id: String
        package var change: String
        package var dataLoss: String?
        package var fields: [String]

        init(_ action: PlanAction) {
            id = action.id.description
            change = action.change.word
            dataLoss = action.dataLoss
            fields = action.fields.map { "\($0.path): \($0.before ?? "(absent)") → \($0.after ?? "(removed)")" }
        }

        init(id: String, change: String, dataLoss: String?, fields: [String]) {
            self.id = id
            self.change = change
            self.dataLoss = dataLoss
            self.fields = fields
        }
    }

    package init(spec: String, revision: String?, specDigest: String, targets: [String], topology: String, plan: Plan) {
        self.init(
            spec: spec, revision: revision, specDigest: specDigest, targets: targets, topology: topology,
            changes: plan.changes.map(SavedChange.init))
    }

    init(spec: String, revision: String?, specDigest: String, targets: [String], topology: String, changes: [SavedChange]) {
        self.spec = spec
        self.revision = revision
        self.specDigest = specDigest
        self.targets = targets
        self.topology = topology
        self.changes = changes
    }

    /// The file's text: the plan document with a `source` section.
    package static func text(_ plan: Plan, loaded: LoadedTopology, spec: String, revision: String?, targets: [String]) -> String {
        var document = PlanDocument.node(plan)
        document["source"] = .mapping([
            "spec": .string(spec),
            "revision": revision.map { Node.string($0) } ?? .scalar("null"),
            "specSHA256": .string(loaded.specDigest),
            "targets": .sequence(targets.map { .string($0) }),
        ])
        return document.jsonString(pretty: true) + "\n"
    }

    /// Whether `text` is a saved plan rather than a spec (a JSON object naming the plan format and
    /// carrying a `source`).
    package static func isPlanFile(_ text: String) -> Bool {
        guard text.drop { $0.isWhitespace }.first == "{" else { return false }
        return text.contains("\"formatVersion\"") && text.contains(formatVersion) && text.contains("\"source\"")
    }

    package struct ReadError: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    /// Reads a saved plan; the error says what is wrong with the file.
    package static func parse(_ text: String, file: String) throws(ReadError) -> PlanFile {
        let node: Node?
        do {
            node = try YAMLParser.parse(text, file: file)
        } catch {
            throw ReadError(description: "\(file) is not a readable plan file: \(error.message)")
        }
        guard let node, node["formatVersion"]?.string == formatVersion else {
            throw ReadError(description: "\(file) is not a \(formatVersion) plan (write one with `multidc diff SPEC --out \(file)`)")
        }
        guard let source = node["source"], let spec = source["spec"]?.string, let digest = source["specSHA256"]?.string,
            let topology = node["topology"]?.string
        else {
            throw ReadError(
                description:
                    "\(file) is a plan without its source (the output of `diff -o json`?); save one with `multidc diff SPEC --out \(file)`")
        }
        guard node["purpose"]?.string == Plan.Purpose.apply.rawValue else {
            throw ReadError(description: "\(file) is a destroy plan; only apply plans can be applied")
        }
        var changes: [SavedChange] = []
        for action in node["actions"]?.sequence ?? [] {
            guard let id = action["id"]?.string, let change = action["change"]?.string, change != "in-sync" else { continue }
            let fields = (action["fields"]?.sequence ?? []).map { f in
                "\(f["path"]?.string ?? ""): \(f["before"]?.string ?? "(absent)") → \(f["after"]?.string ?? "(removed)")"
            }
            changes.append(SavedChange(id: id, change: change, dataLoss: action["dataLoss"]?.string, fields: fields))
        }
        return PlanFile(
            spec: spec, revision: source["revision"]?.string, specDigest: digest,
            targets: (source["targets"]?.sequence ?? []).compactMap(\.string), topology: topology, changes: changes)
    }

    /// What moved between the saved plan and `now` (empty: the same plan).
    package func differences(from now: Plan) -> [String] {
        let current = now.changes.map(SavedChange.init)
        var lines: [String] = []
        let nowByID = Dictionary(current.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let savedByID = Dictionary(changes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for saved in changes {
            guard let again = nowByID[saved.id] else {
                lines.append("\(saved.id): planned \(saved.change), now nothing to do")
                continue
            }
            if again.change != saved.change { lines.append("\(saved.id): planned \(saved.change), now \(again.change)") }
            if again.fields != saved.fields {
                let gone = saved.fields.filter { !again.fields.contains($0) }
                let new = again.fields.filter { !saved.fields.contains($0) }
                lines.append(
                    "\(saved.id): its fields differ"
                        + (gone.isEmpty ? "" : "; planned: " + gone.joined(separator: ", "))
                        + (new.isEmpty ? "" : "; now: " + new.joined(separator: ", ")))
            }
            if again.dataLoss != saved.dataLoss && again.change == saved.change {
                lines.append("\(saved.id): its data loss differs (now: \(again.dataLoss ?? "none"))")
            }
        }
        for again in current where savedByID[again.id] == nil {
            lines.append("\(again.id): not in the saved plan, now \(again.change)")
        }
        return lines
    }
}
