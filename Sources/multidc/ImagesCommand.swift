import ArgumentParser
import MultiDC

/// `multidc images SPEC`: the images `apply` loads into the clusters' nodes (`spec.images`), one
/// per line, for scripts that fetch or cache them (`docker pull`, `docker save`).
struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Print the images apply loads into every node (spec.images), one per line.",
        usage: "multidc images <spec>|- [--cluster <name>]... [--sources] [--rev REV] [--base DIR] [--no-color]",
        discussion: """
            Lists spec.images.preload and, unless images.derived is false, what multidc names from the spec: MetalLB's images for its version and each rendered Vault CR's image and bankVaultsImage. Each image once, as written, in the order apply loads them. Never runs a tool. A spec without an images section lists what it would load with `images: {}` and says so on stderr.

            Examples:
              multidc images examples/vault-raft/spec.yaml | xargs -n1 docker pull   # warm a CI cache
              docker save $(multidc images spec.yaml) -o images.tar
              multidc images spec.yaml --sources
            """
    )

    @Argument(help: "The Topology spec file, or - to read it from standard input.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    @OptionGroup var targets: TargetOptions

    @Flag(help: "After each image, the clusters it goes to and where it comes from.")
    var sources = false

    @OptionGroup var source: SpecSourceOptions
    @OptionGroup var common: CommonOptions

    func validate() throws { try source.check(spec: spec) }

    func run() async throws {
        common.activate()
        let loaded = try await SpecLoading.load(spec, source: source, session: SpecLoading.session())
        if loaded.topology.images == nil {
            Terminal.err("note: the spec has no images section; these are the images `images: {}` would load")
        }
        let chosen = try targets.targets(loaded)
        for line in ImageList.lines(loaded, clusters: chosen, sources: sources) { Terminal.out(line + "\n") }
    }
}
