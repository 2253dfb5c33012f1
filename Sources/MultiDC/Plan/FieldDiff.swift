import Foundation
import YAML

/// Field-level comparison of a rendered object with the live one.
///
/// Only fields the rendered object sets are compared: everything else on the live object
/// (uid, resourceVersion, status, defaults the API server or operator filled in) is
/// server-populated and ignored — except the fields the object's last-applied configuration
/// has and the rendered object no longer sets (`removals`): those `kubectl apply` deletes.
package enum FieldDiff {
    /// The annotation client-side `kubectl apply` keeps the applied configuration in (JSON).
    package static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    /// The last-applied configuration recorded on a live object, parsed (nil: none, or unreadable).
    package static func lastApplied(of live: Node?) -> Node? {
        guard let text = live?[path: "metadata", "annotations"]?[lastAppliedAnnotation]?.string,
            let node = try? YAMLParser.parse(text, file: lastAppliedAnnotation), node.mapping != nil
        else { return nil }
        return node
    }

    /// The fields `kubectl apply` would remove: present in the last-applied configuration and in
    /// the live object, absent from the rendered one (`after` nil, shown as `(removed)`).
    ///
    /// This is the deletion half of the three-way merge client-side apply computes
    /// (kubernetes/kubectl@dee3483a pkg/cmd/apply/patcher.go `buildMergePatch` for custom
    /// resources → k8s.io/apimachinery@eed236ce pkg/util/jsonmergepatch/patch.go
    /// `CreateThreeWayJSONMergePatch`: `CreateMergePatch(original, modified)`, nulls only). It
    /// recurses where the last-applied and rendered values are both maps; a list is a value
    /// (RFC 7386), compared whole by `changes`. A field only the live object has was set by
    /// the server or the operator and is never reported.
    /// `isSensitive` tells a live scalar that must print as `(sensitive)` (the KMS token).
    package static func removals(
        rendered: Node, lastApplied: Node?, live: Node?, path: String = "", isSensitive: (String) -> Bool = { _ in false }
    ) -> [FieldChange] {
        guard path.isEmpty, rendered.mapping != nil else {
            return removalsBelow(rendered: rendered, lastApplied: lastApplied, live: live, path: path, isSensitive: isSensitive)
        }
        // kubectl's `modified` is the new configuration plus the last-applied annotation itself,
        // and what it records has `"annotations":{}` when the manifest has none
        // (kubectl@dee3483a pkg/util/apply.go `GetModifiedConfiguration`: annotations default to
        // an empty map before encoding): `metadata.annotations` itself is never removed.
        var modified = rendered
        var metadata = modified["metadata"] ?? .mapping([])
        if metadata.mapping != nil {
            var annotations = metadata["annotations"] ?? .mapping([])
            if annotations.mapping != nil { annotations[lastAppliedAnnotation] = .string("") }
            metadata["annotations"] = annotations
            modified["metadata"] = metadata
        }
        return removalsBelow(rendered: modified, lastApplied: lastApplied, live: live, path: path, isSensitive: isSensitive)
    }

    static func removalsBelow(
        rendered: Node, lastApplied: Node?, live: Node?, path: String, isSensitive: (String) -> Bool
    ) -> [FieldChange] {
        guard let pairs = lastApplied?.mapping, rendered.mapping != nil, let live, live.mapping != nil else { return [] }
        var out: [FieldChange] = []
        for pair in pairs {
            let key = pair.key.scalar ?? pair.key.description
            guard let liveValue = live[key] else { continue }
            let here = join(path, key)
            if let wanted = rendered[key] {
                if pair.value.mapping != nil, wanted.mapping != nil {
                    out += removalsBelow(rendered: wanted, lastApplied: pair.value, live: liveValue, path: here, isSensitive: isSensitive)
                }
            } else {
                out.append(
                    FieldChange(path: here, before: holdsSecret(liveValue, isSensitive) ? sensitive : display(liveValue), after: nil))
            }
        }
        return out
    }

    /// The displayed text of a value that is sensitive in the rendered object.
    package static let sensitive = TemplateValue.sensitiveText
    /// The displayed text of a value known only after apply.
    package static let unknown = TemplateValue.unknownText

    /// The changes that would turn `live` into `rendered` (in the rendered object's fields).
    /// `sensitiveMatches` decides a field rendered as `(sensitive)`, given the live text.
    package static func changes(
        rendered: Node, live: Node?, path: String = "", sensitiveMatches: (String?) -> Bool = { _ in false }
    ) -> [FieldChange] {
        switch rendered.content {
        case .mapping(let pairs):
            guard let live, live.mapping != nil else {
                return [FieldChange(path: path.isEmpty ? "." : path, before: live.map(display), after: display(rendered))]
            }
            var out: [FieldChange] = []
            for pair in pairs {
                let key = pair.key.scalar ?? pair.key.description
                out += changes(rendered: pair.value, live: live[key], path: join(path, key), sensitiveMatches: sensitiveMatches)
            }
            return out
        case .sequence(let items):
            guard let liveItems = live?.sequence else {
                return [FieldChange(path: path, before: live.map(display), after: display(rendered))]
            }
            var out: [FieldChange] = []
            for (i, item) in items.enumerated() {
                out += changes(
                    rendered: item, live: i < liveItems.count ? liveItems[i] : nil, path: "\(path)[\(i)]",
                    sensitiveMatches: sensitiveMatches)
            }
            for i in items.count..<max(items.count, liveItems.count) {
                out.append(FieldChange(path: "\(path)[\(i)]", before: display(liveItems[i]), after: nil))
            }
            return out
        case .scalar(let text):
            // Fix (plan tests): a secret embedded in a longer scalar (`Bearer ${{ kms.token }}`)
            // was compared as plain text, so the live value — the token itself — became `before`
            // in diff output and JSON. Any scalar holding `(sensitive)` is now compared through
            // `sensitiveMatches` on the part of the live text where the secret sits, and both
            // sides print as `(sensitive)`.
            if text.contains(sensitive) {
                let liveText = live?.scalar
                return sensitiveMatches(secretPart(of: liveText, rendered: text))
                    ? [] : [FieldChange(path: path, before: liveText == nil ? nil : sensitive, after: sensitive)]
            }
            if text.contains(unknown) {
                return [FieldChange(path: path, before: live.map(display), after: text)]
            }
            guard let live, live.scalar != nil, sameScalar(rendered, live) else {
                return [FieldChange(path: path, before: live.map(display), after: display(rendered))]
            }
            return []
        }
    }

    /// The part of `live` that stands where the rendered text shows `(sensitive)` once, the text
    /// around it being equal; nil when the texts do not line up (or the secret shows more than once).
    static func secretPart(of live: String?, rendered: String) -> String? {
        guard let live else { return nil }
        if rendered == sensitive { return live }
        let pieces = rendered.components(separatedBy: sensitive)
        guard pieces.count == 2, live.count >= pieces[0].count + pieces[1].count,
            live.hasPrefix(pieces[0]), live.hasSuffix(pieces[1])
        else { return nil }
        return String(live.dropFirst(pieces[0].count).dropLast(pieces[1].count))
    }

    /// Scalars are equal when they mean the same value: `3` equals `"3"` only if both resolve
    /// alike, but JSON from kubectl loses YAML styles, so compare by resolved value first and
    /// fall back to text for strings.
    static func sameScalar(_ a: Node, _ b: Node) -> Bool {
        switch (a.resolved, b.resolved) {
        case (.int(let x), .int(let y)): return x == y
        case (.int(let x), .float(let y)), (.float(let y), .int(let x)): return Double(x) == y
        case (.float(let x), .float(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.string(let x), .string(let y)): return x == y
        default: return false
        }
    }

    /// Whether any scalar in `node` is sensitive.
    static func holdsSecret(_ node: Node, _ isSensitive: (String) -> Bool) -> Bool {
        switch node.content {
        case .scalar(let text): isSensitive(text)
        case .mapping(let pairs): pairs.contains { holdsSecret($0.value, isSensitive) }
        case .sequence(let items): items.contains { holdsSecret($0, isSensitive) }
        }
    }

    static func display(_ node: Node) -> String {
        if let s = node.scalar { return s.isEmpty ? "\"\"" : s }
        return YAMLEmitter.emitFlowString(node)
    }

    static func join(_ path: String, _ key: String) -> String {
        let safe = key.contains(".") ? "[\"\(key)\"]" : key
        return path.isEmpty ? safe : (safe.hasPrefix("[") ? path + safe : "\(path).\(safe)")
    }
}
