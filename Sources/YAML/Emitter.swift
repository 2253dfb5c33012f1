internal import CLibYAML

/// Emits nodes as YAML text through libyaml's emitter (what multidc hands to kubectl).
package enum YAMLEmitter {
    /// One or more documents, block style, `---` between documents.
    package static func emit(_ documents: [Node]) -> String {
        emit(documents, flow: false)
    }

    /// A single document.
    package static func emit(_ document: Node) -> String {
        emit([document], flow: false)
    }

    /// One line, flow style: for messages.
    package static func emitFlowString(_ node: Node) -> String {
        var text = emit([node], flow: true)
        if text.hasSuffix("\n...\n") { text.removeLast(5) }
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    private final class Sink {
        var bytes: [UInt8] = []
    }

    private static func emit(_ documents: [Node], flow: Bool) -> String {
        let sink = Sink()
        var emitter = yaml_emitter_t()
        guard yaml_emitter_initialize(&emitter) == 1 else { return "" }
        defer { yaml_emitter_delete(&emitter) }
        yaml_emitter_set_unicode(&emitter, 1)
        yaml_emitter_set_indent(&emitter, 2)
        yaml_emitter_set_width(&emitter, flow ? -1 : 4096)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        yaml_emitter_set_output(
            &emitter,
            { data, buffer, size in
                guard let data, let buffer else { return 0 }
                let sink = Unmanaged<Sink>.fromOpaque(data).takeUnretainedValue()
                sink.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
                return 1
            }, context)
        var writer = EventWriter(emitter: emitter, flow: flow)
        writer.stream(documents)
        emitter = writer.emitter
        yaml_emitter_flush(&emitter)
        return String(decoding: sink.bytes, as: UTF8.self)
    }

    private struct EventWriter {
        var emitter: yaml_emitter_t
        let flow: Bool
        /// Flow collections the writer is inside (an empty plain scalar cannot be written there).
        var flowDepth = 0

        mutating func send(_ event: inout yaml_event_t) {
            _ = yaml_emitter_emit(&emitter, &event)
        }

        mutating func stream(_ documents: [Node]) {
            var event = yaml_event_t()
            yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
            send(&event)
            for (index, document) in documents.enumerated() {
                yaml_document_start_event_initialize(&event, nil, nil, nil, index == 0 ? 1 : 0)
                send(&event)
                node(document, visibleNull: true)
                yaml_document_end_event_initialize(&event, 1)
                send(&event)
            }
            yaml_stream_end_event_initialize(&event)
            send(&event)
        }

        mutating func node(_ node: Node, visibleNull: Bool = false) {
            var event = yaml_event_t()
            let customTag = node.customTag
            withOptionalCString(customTag) { tag in
                switch node.content {
                case .scalar(let original):
                    var text = YAMLEmitter.text(of: node, original)
                    // libyaml writes an empty plain scalar as '' in flow collections and keys
                    // (src/emitter.c, yaml_emitter_select_scalar_style), which reads back as a
                    // string, and as nothing at all for a document's root, which reads back as
                    // no document: a null is written `null` there.
                    if text.isEmpty, flow || flowDepth > 0 || visibleNull, node.customTag == nil, node.resolved == .null {
                        text = "null"
                    }
                    let style = scalarStyle(node, text)
                    var bytes = Array(text.utf8) + [0]
                    let implicit: Int32 = customTag == nil ? 1 : 0
                    _ = bytes.withUnsafeMutableBufferPointer { buffer in
                        yaml_scalar_event_initialize(
                            &event, nil, tag, buffer.baseAddress, Int32(buffer.count - 1), implicit, implicit, style)
                    }
                    send(&event)
                case .sequence(let items):
                    let style = flow || node.style == .flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE
                    yaml_sequence_start_event_initialize(
                        &event, nil, tag, customTag == nil ? 1 : 0, items.isEmpty ? YAML_FLOW_SEQUENCE_STYLE : style)
                    send(&event)
                    if style == YAML_FLOW_SEQUENCE_STYLE { flowDepth += 1 }
                    for item in items { self.node(item) }
                    if style == YAML_FLOW_SEQUENCE_STYLE { flowDepth -= 1 }
                    yaml_sequence_end_event_initialize(&event)
                    send(&event)
                case .mapping(let pairs):
                    let style = flow || node.style == .flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE
                    yaml_mapping_start_event_initialize(
                        &event, nil, tag, customTag == nil ? 1 : 0, pairs.isEmpty ? YAML_FLOW_MAPPING_STYLE : style)
                    send(&event)
                    if style == YAML_FLOW_MAPPING_STYLE { flowDepth += 1 }
                    for pair in pairs {
                        self.node(pair.key, visibleNull: true)
                        self.node(pair.value)
                    }
                    if style == YAML_FLOW_MAPPING_STYLE { flowDepth -= 1 }
                    yaml_mapping_end_event_initialize(&event)
                    send(&event)
                }
            }
        }

        /// Plain when the text reads back as the node's own value; quoted when a plain scalar
        /// would change type (a string "true", "1.10" or "yes"); literal for multi-line text.
        func scalarStyle(_ node: Node, _ text: String) -> yaml_scalar_style_t {
            let isString: Bool
            if case .string = node.resolved { isString = true } else { isString = false }
            if !isString { return YAML_PLAIN_SCALAR_STYLE }
            if Node.needsQuoting(text) { return YAML_DOUBLE_QUOTED_SCALAR_STYLE }
            if text.contains("\n") && !flow { return YAML_LITERAL_SCALAR_STYLE }
            switch node.style {
            case .singleQuoted: return YAML_SINGLE_QUOTED_SCALAR_STYLE
            case .doubleQuoted: return YAML_DOUBLE_QUOTED_SCALAR_STYLE
            default: return YAML_ANY_SCALAR_STYLE
            }
        }
    }
}

extension YAMLEmitter {
    /// The text a scalar is written with, so that it reads back with the same meaning here
    /// (YAML 1.2 core schema) and in YAML 1.1 readers (kubectl, helm: go-yaml v2):
    ///
    /// - `0o` and `0x` integers are written in decimal. sigs.k8s.io/yaml `goyaml.v2/resolve.go`
    ///   (the fork kubectl decodes manifests with, from go-yaml v2.4.0) reads an untagged integer
    ///   with `strconv.ParseInt(plain, 0, 64)` after removing `_`, so `0o777` and `0x1F` depend
    ///   on Go's base prefixes (Go ≥ 1.13 for `0o`) and other YAML 1.1 readers take them as
    ///   strings; decimal `511` and `31` are read alike by every reader;
    /// - decimal integers keep their text. `0644` is 644 in YAML 1.2 but octal 420 to kubectl
    ///   (base 0 above), and Kubernetes manifests write file modes that way meaning octal:
    ///   rewriting it as `644` would silently change the mode kubectl applies, so the text
    ///   kubectl has always been given is kept (the ambiguity is the template's to report);
    ///   out-of-range integers are written in their normalised form (`YAMLInteger.outOfRange`);
    /// - a scalar whose core tag says more than its text (`!!float 1`, `!!null foo`,
    ///   `!!bool "true"` quoted) is written in the canonical form of its value (`1.0`, `null`,
    ///   `true`), since an untagged plain text is what every reader resolves the same way;
    /// - strings and custom-tagged scalars (`!!binary`, `!foo`) keep their text.
    static func text(of node: Node, _ text: String) -> String {
        if node.customTag != nil { return text }
        if let integer = node.integer {
            switch integer {
            case .int(let i):
                let digits = text.utf8.drop { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") }
                let decimal = digits.count >= text.utf8.count - 1 && digits.allSatisfy(Node.isDecimalDigit)
                return decimal && node.tag == nil ? text : String(i)
            case .outOfRange(let canonical): return canonical
            }
        }
        let resolved = node.resolved
        if case .string = resolved { return text }
        if Node.scalar(text).identity == node.identity { return text }
        switch resolved {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let f):
            if f.isNaN { return ".nan" }
            if f.isInfinite { return f < 0 ? "-.inf" : ".inf" }
            return "\(f)"  // "1.0", "1e-05", "1e+20": all in the core and YAML 1.1 float forms
        case .string: return text
        }
    }
}

private func withOptionalCString<R>(_ s: String?, _ body: (UnsafeMutablePointer<UInt8>?) -> R) -> R {
    guard let s else { return body(nil) }
    var bytes = Array(s.utf8) + [0]
    return bytes.withUnsafeMutableBufferPointer { body($0.baseAddress) }
}
