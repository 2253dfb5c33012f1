import Foundation

/// `kubectl apply -f …` (client-side with the last-applied annotation, or --server-side).
struct Apply {
    let world: World
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    func run(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            args,
            specs: Kubectl.global + [
                .value("filename", "f"), .bool("server-side"), .bool("force-conflicts"), .value("field-manager"),
                .value("validate"), .value("dry-run"), .value("output", "o"), .bool("recursive", "R"), .value("selector", "l"),
                .bool("wait"), .value("timeout"), .bool("overwrite"), .bool("prune"), .bool("force"), .value("grace-period"),
            ], style: .kubectl(command: "kubectl apply"))
        let files = p.all("filename")
        if let extra = p.positionals.first {
            throw ToolFailure(
                stderr:
                    "error: Unexpected args: [\(([extra] + p.positionals.dropFirst()).joined(separator: " "))]\nSee 'kubectl apply -h' for help and examples"
            )
        }
        guard !files.isEmpty else {
            throw ToolFailure(stderr: "error: must specify one of -f and -k\n")
        }
        if let v = p.last("validate"), !["true", "false", "strict", "warn", "ignore"].contains(v) {
            throw ToolFailure(
                stderr: "error: invalid - validate option \"\(v)\"; must be one of: strict (or true), warn, ignore (or false)")
        }
        let session = try Session(world: world, flags: p)
        let firstSource = files.first == "-" ? "STDIN" : files[0]
        let manifests = try Manifests.read(files, world: world)
        let serverSide = p.bool("server-side")
        let dryRun = p.last("dry-run").map { $0 == "server" ? " (server dry run)" : " (dry run)" }
        return try session.withCluster(lines: 5, refused: { hp in Access(world: world).applyRefusedText(hp, source: firstSource) }) {
            state, name in
            if manifests.isEmpty { throw ToolFailure(stderr: "error: no objects passed to apply") }
            let out = Output()
            var errors: [String] = []
            for m in manifests {
                do {
                    let line = try applyOne(
                        m, state: &state, cluster: name, session: session, serverSide: serverSide, dryRun: dryRun != nil)
                    out.say(line + (dryRun ?? ""))
                } catch let f as ToolFailure {
                    errors.append(f.stderr)
                }
                Simulation(world: world).reconcile(&state)
            }
            out.err += errors.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" }.joined()
            return out.result(errors.isEmpty ? 0 : 1)
        }
    }

    /// Applies one object; returns the output line or throws its error text.
    func applyOne(
        _ m: ManifestSource, state: inout WorldState, cluster: String, session: Session, serverSide: Bool, dryRun: Bool
    ) throws -> String {
        var c = state.clusters[cluster]!
        defer { state.clusters[cluster] = c }
        var obj = m.object
        let kind = obj.kind ?? "", apiVersion = obj["apiVersion"]?.string ?? ""
        let name = obj.name ?? ""
        guard let type = c.type(kind: kind, apiVersion: apiVersion) else {
            throw ToolFailure(
                stderr:
                    "error: resource mapping not found for name: \"\(name)\" namespace: \"\(obj.namespace ?? "")\" from \"\(m.source)\": no matches for kind \"\(kind)\" in version \"\(apiVersion)\"\nensure CRDs are installed first"
            )
        }
        guard !name.isEmpty else {
            throw ToolFailure(
                stderr:
                    "error: error when retrieving current configuration of:\nResource: \"\(type.qualifiedPlural)\", GroupVersionKind: \"\(apiVersion), Kind=\(kind)\"\nName: \"\", Namespace: \"\(session.namespace)\"\nfrom server for: \"\(m.source)\": resource name may not be empty"
            )
        }
        if type.namespaced {
            if let ns = obj.namespace, session.target.explicitNamespace, ns != session.namespace {
                throw ToolFailure(
                    stderr:
                        "error: the namespace from the provided object \"\(ns)\" does not match the namespace \"\(session.namespace)\". You must pass '--namespace=\(ns)' to perform this operation."
                )
            }
            obj[path: "metadata", "namespace"] = .string(obj.namespace ?? session.namespace)
        }
        let ns = obj.namespace
        let live = c.get(type, namespace: ns, name: name)
        let verb = live == nil ? "creating" : "patching"
        func serverError(_ reason: String, _ message: String) -> ToolFailure {
            ToolFailure(stderr: "Error from server (\(reason)): error when \(verb) \"\(m.source)\": \(message)")
        }
        if type.namespaced, let ns, !c.namespaceExists(ns) {
            throw serverError("NotFound", "namespaces \"\(ns)\" not found")
        }
        if let invalid = Validation.check(obj, type: type) {
            // [SRC kubectl helpers.go StandardErrorMessage] Invalid errors print from the status
            // details: `The <Kind> "<name>" is invalid: <field>: <detail>` (not captured in the reference).
            if invalid.reason == "Invalid" { throw ToolFailure(stderr: "The \(invalid.message)") }
            throw serverError(invalid.reason, invalid.message)
        }
        if let rejection = Admission(world: world).validate(obj, type: type, cluster: c) {
            throw ToolFailure(stderr: "Error from server (InternalError): error when \(verb) \"\(m.source)\": \(rejection)")
        }
        if let rv = obj[path: "metadata", "resourceVersion"]?.string, !rv.isEmpty, live == nil {
            // apiserver etcd3 store: resourceVersion should not be set on objects to be created (HTTP 500).
            throw serverError("InternalError", "Internal error occurred: resourceVersion should not be set on objects to be created")
        }
        if let live, let rv = obj[path: "metadata", "resourceVersion"]?.string, !rv.isEmpty,
            rv != live[path: "metadata", "resourceVersion"]?.string
        {
            // Optimistic concurrency: a stale resourceVersion in the patch (the §3.8 trap).
            throw ToolFailure(
                stderr:
                    "Error from server (Conflict): error when applying patch:\nto:\nResource: \"\(type.group.isEmpty ? "" : type.group)/\(type.versions[0]), Resource=\(type.plural)\", GroupVersionKind: \"\(type.group.isEmpty ? "" : type.group)/\(type.versions[0]), Kind=\(type.kind)\"\nName: \"\(name)\", Namespace: \"\(ns ?? "")\"\nfor: \"\(m.source)\": error when patching \"\(m.source)\": Operation cannot be fulfilled on \(type.qualifiedPlural) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again"
            )
        }
        if let live, let uid = obj.uid, uid != live.uid {
            throw serverError(
                "Conflict",
                "Operation cannot be fulfilled on \(type.qualifiedPlural) \"\(name)\": Precondition failed: UID in precondition: \(uid), UID in object meta: \(live.uid ?? "")"
            )
        }
        normalize(&obj, type: type)
        let prefix = "\(type.qualifiedKind)/\(name)"
        if serverSide {
            if dryRun { return "\(prefix) serverside-applied" }
            if let live {
                var merged = JSONMerge.merge(base: live, overlay: obj, removing: nil)
                merged["status"] = live["status"]
                c.update(merged, type: type)
            } else {
                c.create(obj, type: type, now: world.now)
            }
            return "\(prefix) serverside-applied"
        }
        // Client-side: record the configuration as given in the last-applied annotation.
        var annotated = m.object
        if type.namespaced { annotated[path: "metadata", "namespace"] = obj[path: "metadata", "namespace"] }
        var annotations = annotated[path: "metadata", "annotations"]?.object ?? [:]
        annotations[Apply.lastApplied] = nil
        annotated[path: "metadata", "annotations"] = .object(annotations)
        let lastAppliedText = annotated.compact() + "\n"
        obj[path: "metadata", "annotations", Apply.lastApplied] = .string(lastAppliedText)
        guard let live else {
            if !dryRun { c.create(obj, type: type, now: world.now) }
            return "\(prefix) created"
        }
        let previous = live[path: "metadata", "annotations", Apply.lastApplied]?.string.flatMap { try? JSON.parse($0) }
        // [SRC kubernetes/kubectl@dee3483a pkg/cmd/apply/patcher.go `Patch`]: a kind the client's
        // scheme does not know (a custom resource) gets a three-way JSON merge patch
        // (`buildMergePatch` → k8s.io/apimachinery@eed236ce pkg/util/jsonmergepatch/patch.go
        // `CreateThreeWayJSONMergePatch`), built-in kinds a strategic merge patch.
        var merged = JSONMerge.merge(
            base: live, overlay: obj, removing: previous, strategicLists: !JSONMerge.isCustomResource(type))
        merged["status"] = live["status"]
        if merged == live { return "\(prefix) unchanged" }
        if !dryRun { c.update(merged, type: type) }
        return "\(prefix) configured"
    }

    /// What the API server does to a stored object (Secret stringData → data, Service clusterIP).
    func normalize(_ obj: inout JSON, type: ResourceType) {
        if type.kind == "Secret", let sd = obj["stringData"]?.object {
            var data = obj["data"]?.object ?? [:]
            for (k, v) in sd { data[k] = .string(Data((v.scalarText ?? "").utf8).base64EncodedString()) }
            obj["data"] = .object(data)
            obj["stringData"] = nil
        }
    }
}

/// The three-way merge client-side apply performs: maps merge; a key that was in the previous
/// last-applied configuration (`original`) and is gone from the new one (`modified`) is removed
/// from the live object (`current`), at any depth where both are maps; keys only the live object
/// has (server-set) stay.
///
/// [SRC k8s.io/apimachinery@eed236ce pkg/util/jsonmergepatch/patch.go `CreateThreeWayJSONMergePatch`]:
/// the patch is `CreateMergePatch(original, modified)` keeping only its deletions (nulls) merged
/// with `CreateMergePatch(current, modified)` keeping only additions and changes; a list is a
/// value (RFC 7386), replaced whole. Built-in kinds use the strategic merge patch instead
/// (`strategicLists`), which merges lists of objects by their merge key.
enum JSONMerge {
    /// Whether `kubectl apply` treats the type as a custom resource (not in its scheme).
    static func isCustomResource(_ type: ResourceType) -> Bool {
        !ResourceType.builtins.contains { $0.kind == type.kind && $0.group == type.group }
    }

    static func merge(base: JSON, overlay: JSON, removing previous: JSON?, strategicLists: Bool = true) -> JSON {
        guard case .object(var b) = base, case .object(let o) = overlay else { return overlay }
        if case .object(let prev)? = previous {
            for (k, _) in prev where o[k] == nil { b[k] = nil }
        }
        for (k, v) in o {
            if case .object = v, case .object? = b[k] {
                b[k] = merge(base: b[k]!, overlay: v, removing: previous?[k], strategicLists: strategicLists)
            } else if strategicLists, case .array(let items) = v, case .array(let baseItems)? = b[k] {
                b[k] = .array(mergeList(base: baseItems, overlay: items))
            } else {
                b[k] = v
            }
        }
        return .object(b)
    }

    /// Strategic merge of a list of objects by its merge key (ports by port, containers by name, …),
    /// so server-filled fields such as nodePort survive a re-apply.
    static let mergeKeys = ["port", "containerPort", "name", "type", "ip", "mountPath"]

    static func mergeList(base: [JSON], overlay: [JSON]) -> [JSON] {
        guard let key = mergeKeys.first(where: { k in !overlay.isEmpty && overlay.allSatisfy { $0[k] != nil } }) else { return overlay }
        return overlay.map { item in
            guard let match = base.first(where: { $0[key] == item[key] }) else { return item }
            return merge(base: match, overlay: item, removing: nil)
        }
    }
}
