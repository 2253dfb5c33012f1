import Foundation
import YAML

/// kubectl's printers: json (List wrapper, 4-space indent, sorted keys), yaml, name, jsonpath, table.
struct Printer {
    enum Format: Equatable { case table(wide: Bool), json, yaml, name, jsonpath(String) }

    static func format(_ o: String?) throws(ToolFailure) -> Format {
        guard let o else { return .table(wide: false) }
        switch o {
        case "json": return .json
        case "yaml": return .yaml
        case "name": return .name
        case "wide": return .table(wide: true)
        default:
            for prefix in ["jsonpath=", "jsonpath-as-json="] where o.hasPrefix(prefix) {
                return .jsonpath(String(o.dropFirst(prefix.count)))
            }
            if o == "jsonpath" { throw ToolFailure(stderr: "error: template format specified but no template given") }
            throw ToolFailure(
                stderr:
                    "error: unable to match a printer suitable for the output format \"\(o)\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
            )
        }
    }

    /// Removes what `get` never shows (managedFields).
    static func clean(_ obj: JSON) -> JSON {
        var o = obj
        o[path: "metadata", "managedFields"] = nil
        return o
    }

    static func list(_ items: [JSON]) -> JSON {
        ["apiVersion": "v1", "items": .array(items.map(clean)), "kind": "List", "metadata": ["resourceVersion": ""]]
    }

    static func yaml(_ v: JSON) -> String { YAMLEmitter.emit(v.node) }

    static func jsonpath(_ template: String, _ data: JSON) throws(ToolFailure) -> String {
        let t = JSONPath.normalize(template)
        do {
            return try JSONPath(t).execute(data)
        } catch {
            switch error {
            case .indexOutOfBounds(let i, let n):
                throw ToolFailure(
                    stderr:
                        "error: error executing jsonpath \"\(t)\": Error executing template: array index out of bounds: index \(i), length \(n). Printing more information for debugging the template:\n\ttemplate was:\n\t\t\(t)\n\tobject given to jsonpath engine was:\n\t\t\(goValue(data))\n\n"
                )
            case .syntax(let m):
                throw ToolFailure(stderr: "error: error parsing jsonpath \(t), \(m)")
            }
        }
    }

    static func age(_ obj: JSON, now: Double) -> String {
        let f = ISO8601DateFormatter()
        guard let ts = obj[path: "metadata", "creationTimestamp"]?.string, let d = f.date(from: ts) else { return "<unknown>" }
        let s = max(0, Int(now - d.timeIntervalSince1970))
        if s < 120 { return "\(s)s" }
        if s < 600 { return "\(s / 60)m\(s % 60 == 0 ? "" : "\(s % 60)s")" }
        if s < 3 * 3600 { return "\(s / 60)m" }
        if s < 48 * 3600 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }

    /// A minimal version of kubectl's default table for the kinds scripts look at.
    static func table(_ items: [JSON], type: ResourceType, allNamespaces: Bool, now: Double, withKind: Bool) -> String {
        var header = ["NAME"]
        var rows: [[String]] = []
        switch type.kind {
        case "Pod": header += ["READY", "STATUS", "RESTARTS", "AGE"]
        case "Service": header += ["TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
        case "Deployment": header += ["READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
        case "Secret": header += ["TYPE", "DATA", "AGE"]
        case "ConfigMap": header += ["DATA", "AGE"]
        case "Namespace": header += ["STATUS", "AGE"]
        case "Node": header += ["STATUS", "ROLES", "AGE", "VERSION"]
        case "CustomResourceDefinition": header = ["NAME", "CREATED AT"]
        // [SRC kubernetes pkg/printers/internalversion/printers.go v1.32] column sets.
        case "PersistentVolumeClaim":
            header += ["STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"]
        case "StatefulSet": header += ["READY", "AGE"]
        case "Event": header = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
        default: header += ["AGE"]
        }
        if allNamespaces && type.namespaced { header.insert("NAMESPACE", at: 0) }
        for o in items {
            let name = withKind ? "\(type.qualifiedKind)/\(o.name ?? "")" : (o.name ?? "")
            var row = type.kind == "Event" ? [] : [name]
            let age = Printer.age(o, now: now)
            switch type.kind {
            case "Pod":
                let cs = o[path: "status", "containerStatuses"]?.array ?? []
                let total = o[path: "spec", "containers"]?.array?.count ?? cs.count
                let ready = cs.filter { $0["ready"]?.bool == true }.count
                let waiting = cs.compactMap { $0[path: "state", "waiting", "reason"]?.string }.first
                row += [
                    "\(ready)/\(total)", waiting ?? o[path: "status", "phase"]?.string ?? "Pending",
                    String(cs.map { $0["restartCount"]?.int ?? 0 }.reduce(0, +)), age,
                ]
            case "Service":
                let ext: String
                if o[path: "spec", "type"]?.string == "LoadBalancer" {
                    ext =
                        o[path: "status", "loadBalancer", "ingress", "0", "ip"]?.string
                        ?? o[path: "status", "loadBalancer", "ingress"]?.array?.first.flatMap { $0["ip"]?.string ?? $0["hostname"]?.string }
                        ?? "<pending>"
                } else {
                    ext = "<none>"
                }
                let ports = (o[path: "spec", "ports"]?.array ?? []).map { p in
                    "\(p["port"]?.scalarText ?? "")\(p["nodePort"].map { ":\($0.scalarText ?? "")" } ?? "")/\(p["protocol"]?.string ?? "TCP")"
                }.joined(separator: ",")
                row += [
                    o[path: "spec", "type"]?.string ?? "ClusterIP", o[path: "spec", "clusterIP"]?.string ?? "<none>", ext,
                    ports.isEmpty ? "<none>" : ports, age,
                ]
            case "Deployment":
                let want = o[path: "spec", "replicas"]?.int ?? 1
                let ready = o[path: "status", "readyReplicas"]?.int ?? 0
                row += [
                    "\(ready)/\(want)", String(o[path: "status", "updatedReplicas"]?.int ?? 0),
                    String(o[path: "status", "availableReplicas"]?.int ?? 0), age,
                ]
            case "Secret": row += [o["type"]?.string ?? "Opaque", String(o["data"]?.object?.count ?? 0), age]
            case "ConfigMap": row += [String(o["data"]?.object?.count ?? 0), age]
            case "Namespace": row += [o[path: "status", "phase"]?.string ?? "Active", age]
            case "Node": row += ["Ready", o.name?.contains("control-plane") == true ? "control-plane,master" : "<none>", age, "v1.19.1"]
            case "CustomResourceDefinition": row += [o[path: "metadata", "creationTimestamp"]?.string ?? ""]
            case "PersistentVolumeClaim":
                let modes = (o[path: "status", "accessModes"]?.array ?? o[path: "spec", "accessModes"]?.array ?? []).compactMap(\.string)
                    .map {
                        ["ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"][$0] ?? $0
                    }
                row += [
                    o[path: "status", "phase"]?.string ?? "Pending", o[path: "spec", "volumeName"]?.string ?? "",
                    o[path: "status", "capacity", "storage"]?.scalarText ?? "", modes.joined(separator: ","),
                    o[path: "spec", "storageClassName"]?.string ?? "<unset>", "<unset>", age,
                ]
            case "StatefulSet":
                row += ["\(o[path: "status", "readyReplicas"]?.int ?? 0)/\(o[path: "spec", "replicas"]?.int ?? 1)", age]
            case "Event":
                let last = o["lastTimestamp"]?.string.flatMap { ISO8601DateFormatter().date(from: $0) }
                let seen =
                    last.map {
                        Printer.age(["metadata": ["creationTimestamp": .string(ISO8601DateFormatter().string(from: $0))]], now: now)
                    } ?? age
                let obj = o["involvedObject"] ?? .object([:])
                row += [
                    seen, o["type"]?.string ?? "", o["reason"]?.string ?? "",
                    "\(obj["kind"]?.string?.lowercased() ?? "")/\(obj["name"]?.string ?? "")", o["message"]?.string ?? "",
                ]
            default: row += [age]
            }
            if allNamespaces && type.namespaced { row.insert(o.namespace ?? "", at: 0) }
            rows.append(row)
        }
        return columns([header] + rows)
    }

    /// Left-aligned columns separated by 3 spaces (kubectl's tabwriter settings).
    static func columns(_ rows: [[String]], gap: Int = 3) -> String {
        guard let first = rows.first else { return "" }
        var widths = Array(repeating: 0, count: first.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in i == r.count - 1 ? c : c.padding(toLength: widths[i] + gap, withPad: " ", startingAt: 0) }.joined()
        }.joined(separator: "\n") + "\n"
    }
}
