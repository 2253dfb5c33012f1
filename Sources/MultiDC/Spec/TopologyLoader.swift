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
        /// Messages then show paths as written in the spec, or under `displayDirectory`.
        package var directory: String?
        /// How messages name `directory` (`--base DIR` as the user wrote it); nil: not at all.
        package var displayDirectory: String?
        /// Where templates and manifests are read (the disk, or a git revision's files); it also
        /// names every file in messages (`vault-cr.yaml@origin/main`), the spec included.
        package var files: any SpecFiles

        package init(
            checkFiles: Bool = true, limits: ParseLimits = .default, directory: String? = nil, displayDirectory: String? = nil,
            files: any SpecFiles = LocalFiles()
        ) {
            self.checkFiles = checkFiles
            self.limits = limits
            self.directory = directory
            self.displayDirectory = displayDirectory
            self.files = files
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

    /// Loads a spec from text; `file` anchors relative paths and, as `options.files` shows it,
    /// names the spec in messages.
    package static func load(text: String, file: String, options: Options = Options()) throws(Diagnostics) -> LoadedTopology {
        let name = options.files.display(file)
        let root: Node?
        do {
            root = try YAMLParser.parse(text, file: name, limits: options.limits)
        } catch {
            throw Diagnostics([error])
        }
        let source = SourceText(file: name, text: text)
        var decoder = TopologyDecoder(reader: SpecReader(source: source), paths: paths(file: file, options: options))
        let decoded = decoder.decode(root)
        var diagnostics = decoder.reader.diagnostics
        // Templates are checked even when the spec has errors: one run reports everything.
        var templates: [String: Template] = [:]
        var templateTexts: [SpecDigest.Template] = []
        var templateDiagnostics: [Diagnostic] = []
        if options.checkFiles {
            for reference in decoder.reader.templates {
                let text: String
                do {
                    text = try options.files.text(reference.resolved, limit: options.limits.maxBytes)
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
                    templateTexts.append(SpecDigest.Template(written: reference.written, text: text))
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
            let read = ManifestFiles.load(topology.manifests, from: options.files, limit: options.limits.maxBytes) { index in
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
            manifests: manifests, manifestDigest: ManifestFiles.digest(manifests),
            specDigest: SpecDigest.digest(spec: text, templates: templateTexts, manifests: manifests), origin: .file(file),
            files: options.files, localFiles: unique(decoder.reader.references.map(\.resolved)))
        diagnostics += checkProvider(loaded)
        diagnostics += RaftBootstrapResource.duplicateBootstraps(loaded)
        do { _ = try loaded.pools() } catch { diagnostics += error.items }
        guard diagnostics.isEmpty, templateDiagnostics.isEmpty else {
            throw Diagnostics(sorted(diagnostics) + templateDiagnostics)
        }
        return loaded
    }

    /// The absolute paths of the local templates and manifests a spec names, from its text alone
    /// (nothing is read; none when the spec does not parse): what `--rev` fetches from git before
    /// loading the spec with `RevisionFiles`.
    package static func referencedFiles(text: String, file: String, options: Options = Options()) -> [String] {
        guard let root = try? YAMLParser.parse(text, file: file, limits: options.limits) else { return [] }
        var unchecked = options
        unchecked.checkFiles = false
        var decoder = TopologyDecoder(
            reader: SpecReader(source: SourceText(file: file, text: text)), paths: paths(file: file, options: unchecked))
        _ = decoder.decode(root)
        return unique(decoder.reader.references.map(\.resolved))
    }

    static func unique(_ paths: [String]) -> [String] {
        var seen: Set<String> = []
        return paths.filter { seen.insert($0).inserted }
    }

    static func paths(file: String, options: Options) -> PathResolver {
        PathResolver(
            specFile: file, directory: options.directory, displayDirectory: options.displayDirectory, checkFiles: options.checkFiles,
            files: options.files)
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
