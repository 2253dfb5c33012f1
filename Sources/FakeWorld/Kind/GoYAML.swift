import YAML

/// Decoding a YAML node tree into Go types as go.yaml.in/yaml/v3 v3.0.4 does it, the decoder
/// kind v0.32.0 reads its config with [SRC kind pkg/internal/apis/config/encoding/load.go v0.32.0:
/// `yaml.NewDecoder`, `d.KnownFields(true)` for the strict pass; `yaml.Unmarshal` for kind/apiVersion].
///
/// Like go-yaml it does not stop at the first problem: every type error is collected with its line
/// and reported together [SRC go-yaml v3.0.4 yaml.go `TypeError.Error`: "yaml: unmarshal errors:\n  …"].
/// The decoded value comes back as JSON (absent or null fields are Go's zero values: left out).
struct GoYAML {
    /// The Go types kind's config is made of; the names are what `reflect.Type.String()` prints.
    indirect enum GoType: Sendable {
        case string(String)
        case int32
        case bool
        case slice(GoType)
        case map(GoType)
        case pointer(GoType)
        case structure(String, [(String, GoType)])

        var name: String {
            switch self {
            case .string(let name): name
            case .int32: "int32"
            case .bool: "bool"
            case .slice(let element): "[]" + element.name
            case .map(let element): "map[string]" + element.name
            case .pointer(let element): "*" + element.name
            case .structure(let name, _): name
            }
        }
    }

    /// `KnownFields(true)`: a mapping key that is no field of the struct is an error.
    var knownFields: Bool
    private(set) var errors: [String] = []

    init(knownFields: Bool) { self.knownFields = knownFields }

    /// `yaml: unmarshal errors:` with one line per problem, or nil.
    var typeError: String? {
        errors.isEmpty ? nil : "yaml: unmarshal errors:\n  " + errors.joined(separator: "\n  ")
    }

    /// The short tag go-yaml resolves a node to [SRC go-yaml v3.0.4 resolve.go, `indicatedString`]:
    /// quoted and block scalars are strings; plain ones resolve as the core schema does.
    static func shortTag(_ node: Node) -> String {
        switch node.content {
        case .sequence: return "!!seq"
        case .mapping: return "!!map"
        case .scalar:
            switch node.resolved {
            case .null: return "!!null"
            case .bool: return "!!bool"
            case .int: return "!!int"
            case .float: return "!!float"
            case .string: return "!!str"
            }
        }
    }

    /// `line N: cannot unmarshal !!str `abc` into int32` — the value clipped to 7 bytes and `...`
    /// past 10 [SRC go-yaml v3.0.4 decode.go `terror`].
    private mutating func terror(_ node: Node, _ type: GoType) {
        let tag = Self.shortTag(node)
        var value = ""
        if let text = node.scalar {
            let bytes = Array(text.utf8)
            value = bytes.count > 10 ? " `" + String(decoding: bytes.prefix(7), as: UTF8.self) + "...`" : " `" + text + "`"
        }
        errors.append("line \(node.mark.line): cannot unmarshal \(tag)\(value) into \(type.name)")
    }

    /// Decodes `node` into `type`; nil when it yields nothing (null, or refused: an error recorded).
    mutating func decode(_ node: Node, as type: GoType) -> JSON? {
        // [SRC decode.go `prepare`, `null`]: a null leaves the zero value, never an error.
        if node.scalar != nil, node.isNull { return nil }
        switch type {
        case .pointer(let element):
            return decode(node, as: element)
        case .string:
            guard let text = node.scalar else { terror(node, type); return nil }
            return .string(text)  // [SRC decode.go `scalar`: `case reflect.String: out.SetString(n.Value)`]
        case .int32:
            guard node.scalar != nil else { terror(node, type); return nil }
            switch node.resolved {
            case .int(let i) where i >= Int(Int32.min) && i <= Int(Int32.max):
                return .int(i)
            case .float(let f) where f.isFinite && f <= 9.2e18 && f >= -9.2e18:
                // [SRC decode.go `case float64`: int64(resolved), then the overflow check]: 80.9 is 80.
                let truncated = Int64(f)
                if truncated >= Int64(Int32.min) && truncated <= Int64(Int32.max) { return .int(Int(truncated)) }
            default: break
            }
            terror(node, type)
            return nil
        case .bool:
            guard node.scalar != nil else { terror(node, type); return nil }
            switch node.resolved {
            case .bool(let b): return .bool(b)
            case .string(let s):
                // [SRC decode.go `case reflect.Bool`]: YAML 1.1 words, for typed bools only.
                if ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON"].contains(s) { return .bool(true) }
                if ["n", "N", "no", "No", "NO", "off", "Off", "OFF"].contains(s) { return .bool(false) }
            default: break
            }
            terror(node, type)
            return nil
        case .slice(let element):
            guard let items = node.sequence else { terror(node, type); return nil }
            // A refused element is dropped, the others kept; so is a null one (`null` reports no
            // success for a string, number or struct) [SRC decode.go `sequence`, `null`].
            return .array(items.compactMap { item in decode(item, as: element) })
        case .map(let element):
            guard let pairs = node.mapping else { terror(node, type); return nil }
            var out: [String: JSON] = [:]
            for pair in pairs {
                guard let key = pair.key.scalar else { terror(pair.key, .string("string")); continue }
                // A null value sets the zero value [SRC decode.go `mapping`: `|| …ShortTag() == nullTag`].
                if pair.value.scalar != nil, pair.value.isNull {
                    out[key] = Self.zero(element)
                } else if let value = decode(pair.value, as: element) {
                    out[key] = value
                }
            }
            return .object(out)
        case .structure(_, let fields):
            guard let pairs = node.mapping else { terror(node, type); return nil }
            var out: [String: JSON] = [:]
            for pair in pairs {
                guard let key = pair.key.scalar else { terror(pair.key, .string("string")); continue }
                if let field = fields.first(where: { $0.0 == key }) {
                    if let value = decode(pair.value, as: field.1) { out[key] = value }
                } else if knownFields {
                    // [SRC decode.go `mappingStruct`]: the key's line.
                    errors.append("line \(pair.key.mark.line): field \(key) not found in type \(type.name)")
                }
            }
            return .object(out)
        }
    }

    /// Go's zero value of a type.
    static func zero(_ type: GoType) -> JSON {
        switch type {
        case .string: .string("")
        case .int32: .int(0)
        case .bool: .bool(false)
        case .structure: .object([:])
        case .slice, .map, .pointer: .null
        }
    }
}

/// kind's v1alpha4 config types [SRC kind pkg/apis/config/v1alpha4/types.go v0.32.0].
extension GoYAML.GoType {
    static let patchJSON6902 = Self.structure(
        "v1alpha4.PatchJSON6902",
        [("group", .string("string")), ("version", .string("string")), ("kind", .string("string")), ("patch", .string("string"))])
    static let mount = Self.structure(
        "v1alpha4.Mount",
        [
            ("containerPath", .string("string")), ("hostPath", .string("string")), ("readOnly", .bool), ("selinuxRelabel", .bool),
            ("propagation", .string("v1alpha4.MountPropagation")),
        ])
    static let portMapping = Self.structure(
        "v1alpha4.PortMapping",
        [
            ("containerPort", .int32), ("hostPort", .int32), ("listenAddress", .string("string")),
            ("protocol", .string("v1alpha4.PortMappingProtocol")),
        ])
    static let node = Self.structure(
        "v1alpha4.Node",
        [
            ("role", .string("v1alpha4.NodeRole")), ("image", .string("string")), ("labels", .map(.string("string"))),
            ("extraMounts", .slice(mount)), ("extraPortMappings", .slice(portMapping)),
            ("kubeadmConfigPatches", .slice(.string("string"))), ("kubeadmConfigPatchesJSON6902", .slice(patchJSON6902)),
        ])
    static let networking = Self.structure(
        "v1alpha4.Networking",
        [
            ("ipFamily", .string("v1alpha4.ClusterIPFamily")), ("apiServerPort", .int32), ("apiServerAddress", .string("string")),
            ("podSubnet", .string("string")), ("serviceSubnet", .string("string")), ("disableDefaultCNI", .bool),
            ("kubeProxyMode", .string("v1alpha4.ProxyMode")), ("dnsSearch", .pointer(.slice(.string("string")))),
        ])
    static let cluster = Self.structure(
        "v1alpha4.Cluster",
        [
            ("kind", .string("string")), ("apiVersion", .string("string")), ("name", .string("string")), ("nodes", .slice(node)),
            ("networking", networking), ("featureGates", .map(.bool)), ("runtimeConfig", .map(.string("string"))),
            ("kubeadmConfigPatches", .slice(.string("string"))), ("kubeadmConfigPatchesJSON6902", .slice(patchJSON6902)),
            ("containerdConfigPatches", .slice(.string("string"))), ("containerdConfigPatchesJSON6902", .slice(.string("string"))),
        ])
    /// kind's first, lax pass reads only these [SRC load.go `typeMeta`].
    static let typeMeta = Self.structure("encoding.typeMeta", [("kind", .string("string")), ("apiVersion", .string("string"))])
}
