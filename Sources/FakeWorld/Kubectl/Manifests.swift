import Foundation
import YAML

/// Reading `-f` sources into objects, as kubectl's resource builder does.
struct ManifestSource {
    var source: String
    var object: JSON
}

enum Manifests {
    /// Reads every `-f` argument (file, directory, `-`, URL) into objects; `kind: List` is flattened.
    static func read(_ files: [String], world: World) throws(ToolFailure) -> [ManifestSource] {
        var result: [ManifestSource] = []
        for f in files {
            if f == "-" {
                result += try decode(String(decoding: world.invocation.readStdin(), as: UTF8.self), source: "STDIN")
            } else if f.hasPrefix("http://") || f.hasPrefix("https://") {
                guard let objects = BuiltinManifests.objects(url: f) else {
                    throw ToolFailure(stderr: "error: unable to read URL \"\(f)\", server reported 404 Not Found, status code=404")
                }
                result += objects.map { ManifestSource(source: f, object: $0) }
            } else {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: f, isDirectory: &isDir) else {
                    throw ToolFailure(stderr: "error: the path \"\(f)\" does not exist")
                }
                var paths = [f]
                if isDir.boolValue {
                    let names = (try? FileManager.default.contentsOfDirectory(atPath: f)) ?? []
                    paths = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }.sorted().map {
                        "\(f)/\($0)"
                    }
                }
                for p in paths {
                    let text = String(decoding: FileManager.default.contents(atPath: p) ?? Data(), as: UTF8.self)
                    result += try decode(text, source: p)
                }
            }
        }
        return result
    }

    static func decode(_ text: String, source: String) throws(ToolFailure) -> [ManifestSource] {
        let docs: [Node]
        do { docs = try YAMLParser.parseDocuments(text, file: source) } catch {
            // kubectl: error parsing <source>: error converting YAML to JSON: yaml: line N: <libyaml message>
            throw ToolFailure(
                stderr: "error: error parsing \(source): error converting YAML to JSON: yaml: line \(error.mark.line): \(error.message)")
        }
        var out: [ManifestSource] = []
        for doc in docs {
            let obj = JSON(node: doc)
            if obj.isNull { continue }
            if case .object(let o) = obj, o.isEmpty { continue }
            guard case .object = obj else {
                throw ToolFailure(
                    stderr:
                        "error: error validating \"\(source)\": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false"
                )
            }
            try out += flatten(obj, source: source)
        }
        return out
    }

    private static func flatten(_ obj: JSON, source: String) throws(ToolFailure) -> [ManifestSource] {
        // [SRC apimachinery unstructured] "Object 'Kind' is missing in '<json>'"
        guard let kind = obj["kind"]?.string, !kind.isEmpty else {
            throw ToolFailure(stderr: "error: unable to decode \"\(source)\": Object 'Kind' is missing in '\(obj.compact())'")
        }
        guard let apiVersion = obj["apiVersion"]?.string, !apiVersion.isEmpty else {
            throw ToolFailure(stderr: "error: unable to decode \"\(source)\": Object 'apiVersion' is missing in '\(obj.compact())'")
        }
        if kind == "List" || kind.hasSuffix("List") && apiVersion == "v1" && obj["items"] != nil {
            var out: [ManifestSource] = []
            for item in obj["items"]?.array ?? [] { out += try flatten(item, source: source) }
            return out
        }
        return [ManifestSource(source: source, object: obj)]
    }
}
