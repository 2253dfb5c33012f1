/// The digest of everything an apply is made from: the spec's text, its templates and its
/// manifests. Apply records it on every cluster's ownership record (provenance), and status
/// compares it with the spec at hand to say whether the world is in sync.
///
/// Files are named as the spec writes them (`vault-cr.yaml`, not an absolute path), so the same
/// spec read from the work tree, from stdin with `--base`, or from a git revision with `--rev`
/// has the same digest wherever it is checked out. A comment is part of the text: editing one
/// is a change of the spec (which apply records without touching anything else).
enum SpecDigest {
    /// A template as the loader read it.
    struct Template {
        var written: String
        var text: String
    }

    /// SHA-256 (hex) over the spec text, then each template in the order the spec first names
    /// it, then each manifest in spec order (a URL manifest by its URL: the tool fetches it).
    static func digest(spec: String, templates: [Template], manifests: [ManifestFile]) -> String {
        var bytes: [UInt8] = Array("multidc-spec\u{0}".utf8)
        func add(_ kind: String, _ name: String, _ content: [UInt8]) {
            bytes += Array("\(kind)\u{0}\(name)\u{0}\(content.count)\u{0}".utf8)
            bytes += content
        }
        add("spec", "", Array(spec.utf8))
        for template in templates { add("template", template.written, Array(template.text.utf8)) }
        for manifest in manifests { add("manifest", manifest.reference.written, manifest.bytes) }
        return SHA256.hex(bytes)
    }
}
