import Foundation
import YAML

/// Reads a spec file into a validated `LoadedTopology`, or every problem found in it (and in
/// the templates it names) as positioned diagnostics.
///
///     let loaded = try TopologyLoader.load(path: "examples/vault-raft/spec.yaml")
///
/// Checks: YAML syntax, duplicate keys, alias bombs and size (the YAML module); unknown keys
/// with a did-you-mean; types; required fields; names as kind, Kubernetes, Docker and Helm
/// take them; duplicate clusters; the leader; provider rules; referenced files; template
/// syntax and placeholder names; and the pools, as far as they can be checked before the
/// subnet is observed (fully when the spec pins it).
package enum TopologyLoader {
    /// Options for loading.
    package struct Options: Sendable {
        /// Report referenced files (templates, manifests) that do not exist, and parse templates.
        package var checkFiles: Bool
        package var limits: ParseLimits
        /// The directory relative paths resolve against; nil: the spec file's directory.
        /// Messages then show paths as written in the spec.
        package var directory: String?

        package init(checkFiles: Bool = true, limits: ParseLimits = .default, directory: String? = nil) {
            self.checkFiles = checkFiles
            self.limits = limits
            self.directory = directory
        }
    }

    /// Loads the spec at `path` (messages name the path as given).
    package static func load(path: String, options: Options = Options()) throws(Diagnostics) -> LoadedTopology {
        let text: String
        do {
            text = try SourceFile.read(path, limit: options.limits.maxBytes)
        } catch {
            throw Diagnostics([Diagnostic(file: path, mark: Mark(line: 1, column: 1), message: error.description)])
        }
        return try load(text: text, file: path, options: options)
    }

    /// Loads a spec from text; `file` names it in messages and anchors relative paths.
    package static func load(text: String, file: String, options: Options = Options()) throws(Diagnostics) -> LoadedTopology {
        let root: Node?
        do {
            root = try YAMLParser.parse(text, file: file, limits: options.limits)
        } catch {
            throw Diagnostics([error])
        }
        let source = SourceText(file: file, text: text)
        var decoder = TopologyDecoder(
            reader: SpecReader(source: source),
            paths: PathResolver(specFile: file, directory: options.directory, checkFiles: options.checkFiles))
        let decoded = decoder.decode(root)
        var diagnostics = decoder.reader.diagnostics
        // Templates are checked even when the spec has errors: one run reports everything.
        var templates: [String: Template] = [:]
        var templateDiagnostics: [Diagnostic] = []
        if options.checkFiles {
            for reference in decoder.reader.templates {
                let text: String
                do {
                    text = try SourceFile.read(reference.resolved, limit: options.limits.maxBytes)
                } catch {
                    // At the spec line naming the template: the template has no line to point at.
                    diagnostics.append(
                        source.diagnostic(
                            "template '\(reference.written)' \(Self.phrase(error))",
                            at: decoder.reader.templateMarks[reference.resolved] ?? Mark(line: 1, column: 1)))
                    continue
                }
                do {
                    let template = try Template.parse(text: text, file: reference.display)
                    templateDiagnostics += template.check()
                    templates[reference.resolved] = template
                } catch {
                    templateDiagnostics += error.items
                }
            }
        }
        guard let topology = decoded, diagnostics.isEmpty else {
            throw Diagnostics(sorted(diagnostics) + templateDiagnostics)
        }
        var manifests: [ManifestFile] = []
        if options.checkFiles {
            let positions = decoder.reader.positions
            let read = ManifestFiles.load(topology.manifests) { index in
                { message in
                    source.diagnostic(
                        message, at: positions["spec.manifests[\(index)]"] ?? positions["spec.manifests"] ?? Mark(line: 1, column: 1))
                }
            }
            manifests = read.files
            templateDiagnostics += read.problems
        }
        let loaded = LoadedTopology(
            topology: topology, file: file, source: source, positions: decoder.reader.positions, templates: templates,
            manifests: manifests, manifestDigest: ManifestFiles.digest(manifests))
        diagnostics += checkProvider(loaded)
        diagnostics += RaftBootstrapResource.duplicateBootstraps(loaded)
        do { _ = try loaded.pools() } catch { diagnostics += error.items }
        guard diagnostics.isEmpty, templateDiagnostics.isEmpty else {
            throw Diagnostics(sorted(diagnostics) + templateDiagnostics)
        }
        return loaded
    }

    /// A read error as the rest of a sentence about a named file.
    static func phrase(_ error: SourceFile.ReadError) -> String {
        switch error {
        case .noSuchFile: return "does not exist"
        case .notUTF8: return "is not UTF-8 text"
        case .tooLarge: return "is too large: \(error)"
        default: return "\(error)"
        }
    }

    /// Rules that need the whole topology.
    static func checkProvider(_ loaded: LoadedTopology) -> [Diagnostic] {
        let topology = loaded.topology
        var out: [Diagnostic] = []
        if topology.provider == .existing, case .metallb = topology.loadBalancer {
            for (i, cluster) in topology.clusters.enumerated() where cluster.pool == nil {
                out.append(
                    loaded.diagnostic(
                        "missing required field 'pool' in spec.clusters[\(i)]; with provider existing and MetalLB, each cluster names its pool",
                        at: "spec.clusters[\(i)]"))
            }
        }
        return out
    }

    /// Position order within one file (stable for equal positions).
    static func sorted(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.enumerated().sorted { a, b in
            (a.element.mark, a.offset) < (b.element.mark, b.offset)
        }.map(\.element)
    }
}
