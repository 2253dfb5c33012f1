import Foundation
import YAML

/// A kubeconfig file (the subset kind writes and kubectl reads).
struct Kubeconfig {
    var document: JSON

    static let empty: JSON = [
        "apiVersion": "v1", "kind": "Config", "preferences": .object([:]),
        "clusters": [], "contexts": [], "users": [], "current-context": "",
    ]

    /// The file kind writes: --kubeconfig, else the first path of $KUBECONFIG, else ~/.kube/config.
    static func writePath(flag: String?, env: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let list = env["KUBECONFIG"], let first = list.split(separator: ":").first, !first.isEmpty { return String(first) }
        return (env["HOME"] ?? NSHomeDirectory()) + "/.kube/config"
    }

    /// The files kubectl reads, in precedence order.
    static func readPaths(flag: String?, env: [String: String]) -> [String] {
        if let flag, !flag.isEmpty { return [flag] }
        if let list = env["KUBECONFIG"], !list.isEmpty { return list.split(separator: ":").map(String.init) }
        return [(env["HOME"] ?? NSHomeDirectory()) + "/.kube/config"]
    }

    static func load(path: String) throws(ToolFailure) -> Kubeconfig? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        do {
            guard let node = try YAMLParser.parse(text, file: path) else { return Kubeconfig(document: empty) }
            return Kubeconfig(document: JSON(node: node))
        } catch {
            throw ToolFailure(stderr: "error: error loading config file \"\(path)\": \(error.message)")
        }
    }

    /// kubectl's merge of several files: the first file to set a name wins.
    static func loadMerged(paths: [String]) throws(ToolFailure) -> Kubeconfig {
        var merged = Kubeconfig(document: empty)
        var current: String? = nil
        for p in paths {
            guard let k = try load(path: p) else { continue }
            for section in ["clusters", "contexts", "users"] {
                var list = merged.document[section]?.array ?? []
                for entry in k.document[section]?.array ?? [] where !list.contains(where: { $0["name"] == entry["name"] }) {
                    list.append(entry)
                }
                merged.document[section] = .array(list)
            }
            if current == nil, let c = k.document["current-context"]?.string, !c.isEmpty { current = c }
        }
        merged.document["current-context"] = .string(current ?? "")
        return merged
    }

    func entry(_ section: String, _ name: String) -> JSON? {
        document[section]?.array?.first { $0["name"]?.string == name }
    }

    var contextNames: [String] { (document["contexts"]?.array ?? []).compactMap { $0["name"]?.string } }
    var currentContext: String { document["current-context"]?.string ?? "" }

    /// The API server URL of a context.
    func server(context: String) -> String? {
        guard let ctx = entry("contexts", context), let clusterName = ctx[path: "context", "cluster"]?.string,
            let cluster = entry("clusters", clusterName)
        else { return nil }
        return cluster[path: "cluster", "server"]?.string
    }

    mutating func upsert(_ section: String, _ value: JSON) {
        var list = document[section]?.array ?? []
        if let i = list.firstIndex(where: { $0["name"] == value["name"] }) { list[i] = value } else { list.append(value) }
        document[section] = .array(list)
    }

    mutating func remove(name: String) {
        for section in ["clusters", "contexts", "users"] {
            document[section] = .array((document[section]?.array ?? []).filter { $0["name"]?.string != name })
        }
        if currentContext == name { document["current-context"] = "" }
    }

    /// The kubeconfig kind produces for one cluster (names `kind-N`, keys sorted as sigs.k8s.io/yaml does).
    static func forKind(cluster: String, port: Int) -> Kubeconfig {
        let key = "kind-\(cluster)"
        return Kubeconfig(document: [
            "apiVersion": "v1",
            "clusters": [
                [
                    "cluster": [
                        "certificate-authority-data": .string(FakePEM.base64CA(seed: cluster)),
                        "server": .string("https://127.0.0.1:\(port)"),
                    ], "name": .string(key),
                ]
            ],
            "contexts": [["context": ["cluster": .string(key), "user": .string(key)], "name": .string(key)]],
            "current-context": .string(key),
            "kind": "Config",
            "preferences": .object([:]),
            "users": [
                [
                    "name": .string(key),
                    "user": [
                        "client-certificate-data": .string(FakePEM.base64Cert(seed: key)),
                        "client-key-data": .string(FakePEM.base64Key(seed: key)),
                    ],
                ]
            ],
        ])
    }

    /// Merges one kind cluster's entries and makes it current.
    mutating func merge(kind other: Kubeconfig) {
        for section in ["clusters", "contexts", "users"] {
            for e in other.document[section]?.array ?? [] { upsert(section, e) }
        }
        document["current-context"] = other.document["current-context"]
        if document["apiVersion"] == nil { document["apiVersion"] = "v1" }
        if document["kind"] == nil { document["kind"] = "Config" }
    }

    var yaml: String { YAMLEmitter.emit(document.node) }

    func write(path: String) throws(ToolFailure) {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(yaml.utf8).write(to: url, options: .atomic)
            chmod(path, 0o600)
        } catch {
            throw ToolFailure(stderr: "failed to write kubeconfig \(path): \(error.localizedDescription)")
        }
    }
}

/// Deterministic fake PEM material (certificates are never checked in the world).
enum FakePEM {
    static func block(_ type: String, seed: String) -> String {
        let digest = SHA1.digest(Array(seed.utf8))
        var body: [UInt8] = []
        for i in 0..<48 { body.append(digest[i % digest.count] ^ UInt8(i)) }
        return "-----BEGIN \(type)-----\n\(Data(body).base64EncodedString())\n-----END \(type)-----\n"
    }
    static func base64CA(seed: String) -> String { Data(block("CERTIFICATE", seed: "ca-" + seed).utf8).base64EncodedString() }
    static func base64Cert(seed: String) -> String { Data(block("CERTIFICATE", seed: seed).utf8).base64EncodedString() }
    static func base64Key(seed: String) -> String { Data(block("RSA PRIVATE KEY", seed: seed).utf8).base64EncodedString() }
}
