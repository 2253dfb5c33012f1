import Foundation
import YAML

/// Field-level comparison of a rendered object with the live one.
///
/// Only fields the rendered object sets are compared: everything else on the live object
/// (uid, resourceVersion, status, defaults the API server or operator filled in) is
/// server-populated and ignored.
public enum FieldDiff {
    /// The displayed text of a value that is sensitive in the rendered object.
    public static let sensitive = TemplateValue.sensitiveText
    /// The displayed text of a value known only after apply.
    public static let unknown = TemplateValue.unknownText

    /// The changes that would turn `live` into `rendered` (in the rendered object's fields).
    /// `sensitiveMatches` decides a field rendered as `(sensitive)`, given the live text.
    public static func changes(
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

    static func display(_ node: Node) -> String {
        if let s = node.scalar { return s.isEmpty ? "\"\"" : s }
        return YAMLEmitter.emitFlowString(node)
    }

    static func join(_ path: String, _ key: String) -> String {
        let safe = key.contains(".") ? "[\"\(key)\"]" : key
        return path.isEmpty ? safe : (safe.hasPrefix("[") ? path + safe : "\(path).\(safe)")
    }
}
