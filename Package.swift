// swift-tools-version: 6.2
import PackageDescription

/// Settings every target of ours shares: Swift 6 language mode plus the upcoming features
/// swift-log turns on (see docs/style.md#package-settings).
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "multidc",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "multidc", targets: ["multidc"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // parse: the system libyaml (apt libyaml-dev, pkg-config yaml-0.1), never vendored.
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // parse: YAML node tree with line:column marks, multi-document parsing, emitter.
        .target(name: "YAML", dependencies: ["CLibYAML"], swiftSettings: strict),
        // The library: Spec/ Template/ Network/ → Observe/ → Plan/ → Execute/ → Health/, and Tools/.
        .target(
            name: "MultiDC",
            dependencies: [
                "YAML",
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strict
        ),
        // The thin executable: argument parsing, rendering, exit codes.
        .executableTarget(
            name: "multidc",
            dependencies: [
                "MultiDC", "YAML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // Test support (not a product; the product never links it), like swift-log's InMemoryLogging:
        // the scripted CommandRunner and the virtual clock.
        .target(name: "MultiDCTestSupport", dependencies: ["MultiDC"], swiftSettings: strict),
        // The test world (kind, kubectl and helm on a real Docker engine). Not a product.
        .target(name: "FakeWorld", dependencies: ["YAML"], swiftSettings: strict),
        .executableTarget(name: "fakeworld", dependencies: ["FakeWorld"], swiftSettings: strict),
        // Benchmarks (not tests): see BENCHMARKS.md.
        .executableTarget(
            name: "multidc-bench",
            dependencies: ["MultiDC", "YAML"],
            path: "Benchmarks/multidc-bench",
            swiftSettings: strict
        ),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"], swiftSettings: strict),
        .testTarget(
            name: "MultiDCTests", dependencies: ["MultiDC", "MultiDCTestSupport", "YAML"], resources: [.copy("Corpus")],
            swiftSettings: strict),
        // The command line in-process: argument parsing, output and exit codes of `multidc`.
        .testTarget(
            name: "MultiDCCLITests", dependencies: ["multidc", "MultiDC", "MultiDCTestSupport", "YAML"], swiftSettings: strict),
        .testTarget(name: "FakeWorldTests", dependencies: ["FakeWorld", "YAML"], swiftSettings: strict),
        .testTarget(name: "EndToEndTests", dependencies: ["MultiDC", "YAML"], swiftSettings: strict),
        // Fuzzing (not tests): a deterministic mutation harness, or libFuzzer; see Fuzz/README.md.
        .executableTarget(name: "multidc-fuzz", dependencies: ["MultiDC", "YAML"], path: "Fuzz/multidc-fuzz", swiftSettings: strict),
    ]
)
