import Foundation
import MultiDCTestSupport
import Testing
import YAML

@testable import MultiDC

/// `spec.images`: references, validation, derived images, the plan (host step, per-cluster
/// loads before anything runs there) and the steps' argv.
@Suite struct ImagesTests {
    /// The classic spec with an `images` block (indented under `spec:`).
    static func spec(_ images: String, metallb: String = "v0.14.9", clusters: [String] = ["primary", "secondary", "tertiary"]) -> String {
        PlanFixture.spec(metallb: metallb, clusters: clusters) + images
    }

    static let preload = """
          images:
            preload: [ghcr.io/bank-vaults/vault-operator:v1.24.0]

        """

    static func errors(_ text: String, directory: String = PlanFixture.vaultRaftDirectory) -> [String] {
        do {
            _ = try PlanFixture.load(text, directory: directory)
            return []
        } catch let error as Diagnostics {
            return error.items.map(\.summary)
        } catch {
            return ["\(error)"]
        }
    }

    // MARK: references

    @Test(arguments: [
        ("vault", "docker.io/library/vault:latest"),
        ("vault:1.6.2", "docker.io/library/vault:1.6.2"),
        ("hashicorp/vault:2.0.1", "docker.io/hashicorp/vault:2.0.1"),
        ("docker.io/hashicorp/vault:2.0.1", "docker.io/hashicorp/vault:2.0.1"),
        ("ghcr.io/bank-vaults/bank-vaults:v1.33.1", "ghcr.io/bank-vaults/bank-vaults:v1.33.1"),
        ("localhost:5001/team/app_1:dev-2", "localhost:5001/team/app_1:dev-2"),
        ("localhost/app", "localhost/app:latest"),
        ("quay.io/metallb/speaker:v0.14.9", "quay.io/metallb/speaker:v0.14.9"),
        (
            "alpine@sha256:" + String(repeating: "ab", count: 32),
            "docker.io/library/alpine@sha256:" + String(repeating: "ab", count: 32)
        ),
    ])
    func referencesNormaliseAsDockerDoes(_ text: String, _ normalized: String) throws {
        let reference = try ImageReference.parse(text)
        #expect(reference.normalized == normalized)
        #expect(reference.written == text)
    }

    @Test func twoSpellingsOfOneImageAreEqual() throws {
        #expect(try ImageReference.parse("vault:1.6.2") == ImageReference.parse("docker.io/library/vault:1.6.2"))
        #expect(try ImageReference.parse("vault:1.6.2") != ImageReference.parse("vault:1.6.3"))
        #expect(try ImageReference.parse("app").tag == "latest")
    }

    @Test(arguments: [
        ("HashiCorp/vault:1", "invalid image reference 'HashiCorp/vault:1': repository name must be lowercase"),
        ("vault:", "invalid tag in image reference 'vault:'"),
        ("vault:-rc", "invalid tag in image reference 'vault:-rc'"),
        ("a//b", "'' is not a repository path component"),
        ("team/-app", "'-app' is not a repository path component"),
        ("vault@sha256:12", "invalid digest in image reference 'vault@sha256:12'"),
        ("my_registry.io/app:1", "invalid registry host 'my_registry.io'"),
        ("", "an image reference is empty"),
    ])
    func badReferencesAreRefused(_ text: String, _ message: String) {
        #expect(throws: ImageReference.Problem.self) { try ImageReference.parse(text) }
        do {
            _ = try ImageReference.parse(text)
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    // MARK: spec

    @Test func theImagesBlockDecodes() throws {
        let loaded = try PlanFixture.load(
            Self.spec(
                """
                  images:
                    preload: [ghcr.io/bank-vaults/vault-operator:v1.24.0, busybox]
                    derived: false
                    pull: never

                """))
        let images = try #require(loaded.topology.images)
        #expect(images.preload.map(\.written) == ["ghcr.io/bank-vaults/vault-operator:v1.24.0", "busybox"])
        #expect(!images.derived)
        #expect(images.pull == .never)
        // Without `images`, nothing is loaded: each node pulls.
        #expect(try PlanFixture.load(PlanFixture.spec()).topology.images == nil)
    }

    @Test func badImagesFieldsAreErrorsAtTheirPositions() {
        let text = Self.spec(
            """
              images:
                preload:
                  - Vault:1.6.2
                  - hashicorp/vault:2.0.1
                  - docker.io/hashicorp/vault:2.0.1
                pull: mising
                derive: true

            """)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let first = lines.firstIndex { $0.contains("images:") }! + 1
        let file = PlanFixture.vaultRaftDirectory + "/inline-spec.yaml"
        #expect(
            Self.errors(text) == [
                "\(file):\(first + 2):9: error: invalid image reference 'Vault:1.6.2': repository name must be lowercase",
                "\(file):\(first + 4):9: error: image 'docker.io/hashicorp/vault:2.0.1' is listed twice in spec.images.preload (first at line \(first + 3)); remove one",
                "\(file):\(first + 5):11: error: unknown pull 'mising'; did you mean 'missing'?",
                "\(file):\(first + 6):5: error: unknown key 'derive'; did you mean 'derived'?",
            ])
    }

    @Test func imagesAreForProviderKindOnly() throws {
        let existing = try String(contentsOf: PlanFixture.root.appendingPathComponent("examples/existing/spec.yaml"), encoding: .utf8)
        let errors = Self.errors(
            existing + "  images: { preload: [busybox] }\n", directory: PlanFixture.root.appendingPathComponent("examples/existing").path)
        #expect(
            errors.contains {
                $0.hasSuffix(
                    "error: 'images' is for provider kind (kind load docker-image writes into kind's nodes); clusters of provider existing pull from their registries"
                )
            }, "\(errors)")
    }

    // MARK: derived images

    @Test func derivedImagesComeFromMetalLBAndTheVaultCRs() throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload))
        let primary = loaded.topology.clusters[0]
        let derived = ImagesResource.derived(of: primary, loaded)
        #expect(
            derived.map(\.image.written) == ["quay.io/metallb/controller:v0.14.9", "quay.io/metallb/speaker:v0.14.9"] + vaultImages(loaded))
        #expect(derived.map(\.source).first == "MetalLB v0.14.9")
        #expect(derived.map(\.source).last?.hasPrefix("Vault CR ") == true)
        // The listed one comes first, each image once.
        let all = ImagesResource.images(of: primary, loaded)
        #expect(all.first?.written == "ghcr.io/bank-vaults/vault-operator:v1.24.0")
        #expect(Set(all).count == all.count)
        #expect(all.count == 1 + derived.count)
    }

    /// The `image` and `bankVaultsImage` of the example's leader CR, as written there.
    func vaultImages(_ loaded: LoadedTopology) -> [String] {
        let text = (try? String(contentsOfFile: PlanFixture.vaultRaftDirectory + "/vault-cr.yaml", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            for key in ["image: ", "bankVaultsImage: "] where t.hasPrefix(key) { return String(t.dropFirst(key.count)) }
            return nil
        }
    }

    @Test(arguments: [
        ("v0.9.3", [String]()),
        ("v0.10.0", ["quay.io/metallb/controller:main", "quay.io/metallb/speaker:main"]),
        ("v0.12.1", ["quay.io/metallb/controller:v0.12.1", "quay.io/metallb/speaker:v0.12.1"]),
    ])
    func metalLBImagesFollowTheReleaseManifests(_ version: String, _ expected: [String]) throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload, metallb: version))
        let derived = ImagesResource.derived(of: loaded.topology.clusters[0], loaded).map(\.image.written)
        #expect(derived.filter { $0.contains("metallb") } == expected)
    }

    /// v0.10.0's manifests run the `main` tag: the installed release is still v0.10.0.
    @Test func metalLBv0100RunningItsMainTagIsInSync() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(metallb: "v0.10.0"))
        var world = try WorldBuilder(loaded).converged()
        for index in world.clusters.indices {
            world.clusters[index].objects.metalLB.version = MetalLBState.imageTag("quay.io/metallb/controller:main")
        }
        let plan = Planner.plan(PlanInput(loaded: loaded, world: world))
        #expect(plan.action(.metalLB("primary"))?.change == .inSync, "\(plan.changeRows)")
        // Another tag is another release.
        let other = try PlanFixture.load(PlanFixture.spec(metallb: "v0.10.1"))
        #expect(Planner.plan(PlanInput(loaded: other, world: world)).action(.metalLB("primary"))?.change == .update)
    }

    @Test func alwaysPulledMetalLBImagesAndTheChartsOperatorImageAreNoted() throws {
        let loaded = try PlanFixture.load(Self.spec("  images: { preload: [busybox:1.36] }\n", metallb: "v0.9.3"))
        let plan = Planner.plan(PlanInput(loaded: loaded, world: WorldBuilder(loaded).empty()))
        #expect(
            plan.notes.contains(
                "MetalLB v0.9.3's manifests pull metallb/controller:v0.9.3 and metallb/speaker:v0.9.3 with imagePullPolicy Always: every node pulls them at each start, so they are not loaded (MetalLB v0.10.1 and later pull IfNotPresent)"
            ), "\(plan.notes)")
        #expect(plan.notes.contains { $0.hasPrefix("the operator's image comes from its chart and is not loaded") }, "\(plan.notes)")
        // Listing the operator image silences that note.
        let listed = try PlanFixture.load(Self.spec(Self.preload))
        let quiet = Planner.plan(PlanInput(loaded: listed, world: WorldBuilder(listed).empty()))
        #expect(!quiet.notes.contains { $0.contains("operator's image") }, "\(quiet.notes)")
    }

    // MARK: plan

    @Test func aNewWorldLoadsImagesBeforeAnythingRunsInACluster() throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload))
        let plan = Planner.plan(PlanInput(loaded: loaded, world: WorldBuilder(loaded).empty()))
        let host = try #require(plan.action(.hostImages))
        #expect(host.change == .create)
        #expect(host.cluster == nil)
        let load = try #require(plan.action(.images("secondary")))
        #expect(load.change == .create)
        #expect(load.dependsOn == [.cluster("secondary"), .hostImages, .ownership("secondary")])
        for id: ActionID in [.metalLB("secondary"), .vaultOperator("secondary"), .vault("secondary")] {
            #expect(plan.action(id)?.dependsOn.contains(.images("secondary")) == true, "\(id) does not wait for the images")
        }
        let step = try #require(load.step as? ImagesResource.Load)
        #expect(step.images == ImagesResource.images(of: loaded.topology.clusters[1], loaded).map(\.written))
        let hostStep = try #require(host.step as? ImagesResource.Host)
        #expect(hostStep.images.count == step.images.count)
        #expect(hostStep.pull == .missing)
    }

    @Test func aConvergedWorldWithTheImagesRecordedIsInSync() throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload))
        let plan = Planner.plan(PlanInput(loaded: loaded, world: try WorldBuilder(loaded).converged()))
        #expect(!plan.hasChanges, "\(plan.changeRows)")
        #expect(plan.action(.images("primary"))?.change == .inSync)
        #expect(plan.action(.hostImages) == nil, "the host is not checked when no cluster loads")
    }

    @Test func anImageAddedToTheSpecIsLoadedIntoEveryCluster() throws {
        let before = try PlanFixture.load(Self.spec(Self.preload))
        let world = try WorldBuilder(before).converged()
        let after = try PlanFixture.load(
            Self.spec(
                """
                  images:
                    preload: [ghcr.io/bank-vaults/vault-operator:v1.24.0, busybox:1.36]

                """))
        let plan = Planner.plan(PlanInput(loaded: after, world: world))
        #expect(
            plan.changeRows == [
                PlanRow("images", .create), PlanRow("images/primary", .update, ["images"]),
                PlanRow("images/secondary", .update, ["images"]), PlanRow("images/tertiary", .update, ["images"]),
            ])
        let load = try #require(plan.action(.images("primary")))
        #expect(load.reason == "not loaded yet: busybox:1.36 (kind loads only what a node lacks)")
        // Adding images to an existing world without a record loads them all, as new.
        let bare = try PlanFixture.load(PlanFixture.spec(metallb: "v0.14.9"))
        let fresh = Planner.plan(PlanInput(loaded: after, world: try WorldBuilder(bare).converged()))
        #expect(fresh.action(.images("primary"))?.change == .create)
        #expect(fresh.action(.images("primary"))?.observed == nil)
    }

    @Test func withoutImagesThereIsNoLoadAndNothingWaitsForOne() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec(metallb: "v0.14.9"))
        let plan = Planner.plan(PlanInput(loaded: loaded, world: WorldBuilder(loaded).empty()))
        #expect(!plan.actions.contains { if case .images = $0.id { true } else { $0.id == .hostImages } })
        #expect(plan.action(.metalLB("primary"))?.dependsOn == [.cluster("primary")])
    }

    @Test func aClusterTargetKeepsTheHostStep() throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload))
        let plan = Planner.plan(PlanInput(loaded: loaded, world: WorldBuilder(loaded).empty())).limited(to: ["primary"])
        #expect(plan.action(.hostImages) != nil)
        #expect(plan.action(.images("primary")) != nil)
        #expect(plan.action(.images("secondary")) == nil)
    }

    // MARK: status

    @Test func statusSaysWhatEachClusterLacks() throws {
        var report = StatusReport(
            topology: "t", rows: [], health: HealthReport(nodes: [], problems: [], expectedVoters: 1), notes: [])
        report.images = [
            .init(cluster: "a", wanted: 3, missing: []), .init(cluster: "b", wanted: 3, missing: ["x:1", "y:2"]),
            .init(cluster: "c", wanted: 3, missing: nil),
        ]
        #expect(
            report.imagesText
                == "images: b lacks x:1, y:2 (apply loads them)\nimages: c: unknown (the cluster could not be read)\n")
        report.images = [.init(cluster: "a", wanted: 3, missing: []), .init(cluster: "b", wanted: 3, missing: [])]
        #expect(report.imagesText == "images: 3 loaded in every cluster\n")
        #expect(report.renderText().contains("images: 3 loaded in every cluster\n"))
        report.images?.append(.init(cluster: "c", wanted: 3, missing: nil))
        report.images?[1].missing = ["x:1"]
        let schema = try OutputSchemaTests.schema("status")
        #expect(schema.validate(try OutputSchemaTests.node(report.json())) == [], "\(report.json())")
        #expect(
            !schema.validate(try OutputSchemaTests.node(report.json().replacingOccurrences(of: #""wanted" : 3"#, with: #""wanted" : "3""#)))
                .isEmpty)
        report.images = nil
        #expect(report.imagesText.isEmpty)
        #expect(report.json().contains("\"images\" : null") || report.json().contains("\"images\": null"), "\(report.json())")
    }

    // MARK: steps

    static func context(_ runner: ScriptedRunner, _ loaded: LoadedTopology) -> StepContext {
        StepContext(
            runner: runner, loaded: loaded, environment: [:], readinessTimeout: .seconds(5),
            state: RunState(subnet: nil, kmsAddress: nil, kmsToken: nil),
            job: JobContext(id: "images", clock: ManualClock(), onProgress: { _ in }))
    }

    @Test func theHostStepPullsOnlyWhatIsMissing() async throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload))
        let runner = ScriptedRunner()
        runner.on(
            ["docker", "image", "inspect", "--format", "{{.Id}}", "busybox:1.36"], exitCode: 1,
            stderr: "Error: No such image: busybox:1.36\n")
        runner.on(["docker", "image", "inspect"], stdout: "sha256:1111\n")
        runner.on(["docker", "pull"], stdout: "docker.io/library/busybox:1.36\n")
        try await ImagesResource.Host(images: ["hashicorp/vault:2.0.1", "busybox:1.36"], pull: .missing).run(Self.context(runner, loaded))
        #expect(
            runner.calls.map(\.argv) == [
                ["docker", "image", "inspect", "--format", "{{.Id}}", "hashicorp/vault:2.0.1"],
                ["docker", "image", "inspect", "--format", "{{.Id}}", "busybox:1.36"],
                ["docker", "pull", "--quiet", "busybox:1.36"],
            ])
    }

    @Test func pullNeverNamesTheCommandsToRun() async throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload))
        let runner = ScriptedRunner()
        runner.on(["docker", "image", "inspect"], exitCode: 1, stderr: "Error response from daemon: No such image: x\n")
        await #expect(
            throws: StepError(
                .images,
                "this host's docker lacks a:1 and b:2 and spec.images.pull is never: run `docker pull a:1` and `docker pull b:2`, or set spec.images.pull: missing"
                    .replacingOccurrences(of: "a:1 and b:2", with: "a:1, b:2"))
        ) {
            try await ImagesResource.Host(images: ["a:1", "b:2"], pull: .never).run(Self.context(runner, loaded))
        }
        #expect(!runner.calls.contains { $0.argv.contains("pull") })
    }

    @Test func aFailedPullSaysWhatToDo() async throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload))
        let runner = ScriptedRunner()
        runner.on(["docker", "image", "inspect"], exitCode: 1, stderr: "Error: No such image: nosuch/app:1\n")
        runner.on(
            ["docker", "pull"], exitCode: 1,
            stderr:
                "Error response from daemon: pull access denied for nosuch/app, repository does not exist or may require 'docker login'\n")
        do {
            try await ImagesResource.Host(images: ["nosuch/app:1"], pull: .missing).run(Self.context(runner, loaded))
            Issue.record("the step succeeded")
        } catch let error as StepError {
            #expect(error.code == .images)
            #expect(
                error.message
                    == "docker pull failed for nosuch/app:1: Error response from daemon: pull access denied for nosuch/app, repository does not exist or may require 'docker login'; fix the reference in spec.images (or the Vault template / MetalLB version it comes from), or fetch the image onto this host yourself (docker pull, docker load) and apply again"
            )
        }
    }

    @Test func missingImagesArePulledSideBySideAndEveryFailureIsNamed() async throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload))
        let runner = ScriptedRunner()
        runner.on(["docker", "image", "inspect", "--format", "{{.Id}}", "ok:1"], stdout: "sha256:1\n")
        runner.on(["docker", "image", "inspect"], exitCode: 1, stderr: "Error: No such image\n")
        runner.on(["docker", "pull", "--quiet", "b:2"], stdout: "docker.io/library/b:2\n")
        runner.on(["docker", "pull", "--quiet", "a:1"], exitCode: 1, stderr: "Error response from daemon: manifest for a:1 not found\n")
        runner.on(["docker", "pull", "--quiet", "c:3"], exitCode: 1, stderr: "Error response from daemon: manifest for c:3 not found\n")
        do {
            try await ImagesResource.Host(images: ["a:1", "ok:1", "b:2", "c:3"], pull: .missing).run(Self.context(runner, loaded))
            Issue.record("the step succeeded")
        } catch let error as StepError {
            #expect(
                error.message.hasPrefix(
                    "docker pull failed for a:1: Error response from daemon: manifest for a:1 not found; c:3: Error response from daemon: manifest for c:3 not found; "
                ), "\(error.message)")
        }
        let pulls = runner.calls.filter { $0.argv.starts(with: ["docker", "pull"]) }.map { $0.argv.last ?? "" }
        #expect(Set(pulls) == ["a:1", "b:2", "c:3"], "every absent image is pulled, the failing ones too")
    }

    @Test func anUnreachableEngineIsAToolFailureNotAMissingImage() async throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload))
        let runner = ScriptedRunner()
        runner.on(
            ["docker", "image", "inspect"], exitCode: 1,
            stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n")
        await #expect(throws: ToolFailure.self) {
            try await ImagesResource.Host(images: ["a:1"], pull: .missing).run(Self.context(runner, loaded))
        }
        #expect(!runner.calls.contains { $0.argv.contains("pull") })
    }

    @Test func theLoadStepRunsKindLoadThenRecordsWhatItLoaded() async throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload))
        let runner = ScriptedRunner()
        runner.on(
            ["kind", "load"], stderr: "Image: \"a:1\" with ID \"sha256:1\" not yet present on node \"primary-control-plane\", loading...\n")
        runner.on(["kubectl"], stdout: "configmap/multidc-ownership annotated\n")
        try await ImagesResource.Load(cluster: "primary", images: ["a:1", "b:2"], record: "docker.io/library/a:1,docker.io/library/b:2")
            .run(Self.context(runner, loaded))
        try #require(runner.calls.count == 2)
        #expect(runner.calls[0].argv == ["kind", "load", "docker-image", "a:1", "b:2", "--name", "primary"])
        #expect(runner.calls[1].argv.contains("multidc/images=docker.io/library/a:1,docker.io/library/b:2"))
        #expect(Array(runner.calls[1].argv.prefix(3)) == ["kubectl", "--context", "kind-primary"])
        #expect(runner.calls[1].argv.contains("annotate"))
    }

    // MARK: the containerd image store (kind issues 3795, 4224)

    static let missingContent = """
        ERROR: failed to load image: command "docker exec --privileged -i primary-control-plane ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: exit status 1

        Command Output: ctr: content digest sha256:b1addbe72465a718643cff9e60a58e6df1841e29d6d7d60c9a85d8d72f08d1a7: not found

        """

    @Test func aHostThatKeepsOnePlatformLoadsThroughAOnePlatformArchive() async throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload))
        let runner = ScriptedRunner()
        runner.on(["kind", "load", "docker-image"], exitCode: 1, stderr: Self.missingContent)
        runner.on(["docker", "image", "save"]) { command in
            // The archive exists while kind reads it.
            let path = command.arguments[command.arguments.firstIndex(of: "-o")! + 1]
            FileManager.default.createFile(atPath: path, contents: Data("tar".utf8))
            return CommandResult()
        }
        runner.on(["kind", "load", "image-archive"]) { command in
            #expect(FileManager.default.fileExists(atPath: command.arguments[2]))
            return CommandResult()
        }
        runner.on(["kubectl"], stdout: "configmap/multidc-ownership annotated\n")
        try await ImagesResource.Load(cluster: "primary", images: ["a:1", "b:2"], record: "r").run(Self.context(runner, loaded))
        let argv = runner.calls.map(\.argv)
        try #require(argv.count == 4, "\(argv)")
        #expect(argv[0] == ["kind", "load", "docker-image", "a:1", "b:2", "--name", "primary"])
        let archive = try #require(argv[1].firstIndex(of: "-o").map { argv[1][$0 + 1] })
        #expect(argv[1] == ["docker", "image", "save", "--platform", Kind.nodePlatform, "-o", archive, "a:1", "b:2"])
        #expect(argv[2] == ["kind", "load", "image-archive", archive, "--name", "primary"])
        #expect(argv[3].contains("annotate"))
        #expect(!FileManager.default.fileExists(atPath: archive), "the archive is removed afterwards")
        #expect(Kind.nodePlatform.hasPrefix("linux/"))
    }

    @Test func anOldDaemonGetsTheWaysOut() async throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload))
        let runner = ScriptedRunner()
        runner.on(["kind", "load", "docker-image"], exitCode: 1, stderr: Self.missingContent)
        runner.on(
            ["docker", "image", "save"], exitCode: 1,
            stderr: "\"--platform\" requires API version 1.48, but the Docker daemon API version is 1.41\n")
        do {
            try await ImagesResource.Load(cluster: "primary", images: ["a:1"], record: "r").run(Self.context(runner, loaded))
            Issue.record("the step succeeded")
        } catch let error as StepError {
            #expect(error.code == .images)
            #expect(
                error.message
                    == "kind load docker-image failed: Command Output: ctr: content digest sha256:b1addbe72465a718643cff9e60a58e6df1841e29d6d7d60c9a85d8d72f08d1a7: not found. This host's docker keeps multi-platform images with only the \(Kind.nodePlatform) content (Docker's containerd image store; kind issue 3795), which kind cannot import; kind's workaround, `docker image save --platform \(Kind.nodePlatform)` then `kind load image-archive`, failed too: \"--platform\" requires API version 1.48, but the Docker daemon API version is 1.41. Use Docker 28 or later, or turn off Docker's containerd image store (\"features\": {\"containerd-snapshotter\": false} in daemon.json), or remove spec.images"
            )
        }
        #expect(!runner.calls.contains { $0.argv.contains("image-archive") || $0.argv.contains("annotate") })
    }

    @Test func anotherKindLoadFailureIsReportedAsIs() async throws {
        let loaded = try PlanFixture.load(Self.spec(Self.preload))
        let runner = ScriptedRunner()
        runner.on(["kind", "load", "docker-image"], exitCode: 1, stderr: "ERROR: image: \"a:1\" not present locally\n")
        await #expect(throws: ToolFailure.self) {
            try await ImagesResource.Load(cluster: "primary", images: ["a:1"], record: "r").run(Self.context(runner, loaded))
        }
        #expect(runner.calls.count == 1)
    }
}
