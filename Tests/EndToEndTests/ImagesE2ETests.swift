import Foundation
import Testing
import YAML

/// Issue 12.8 end to end: images fetched once. With `spec.images` every cluster gets its images
/// from the host's docker through `kind load docker-image` before anything runs there, so no
/// node pulls; without it, every node pulls each image itself. A host lacking an image is refused
/// (`pull: never`) or pulled (`pull: missing`, which fails here as it does offline) before any
/// cluster runs anything.
extension EndToEndTests {
    /// Rewrites the world's `spec.images` (nil: removes it).
    static func setImages(_ w: E2EWorld, _ images: String?) throws {
        let text = try String(contentsOfFile: w.specPath, encoding: .utf8)
        var spec = try #require(try YAMLParser.parse(text, file: w.specPath))
        var body = try #require(spec["spec"])
        body["images"] = try images.map { try #require(try YAMLParser.parse($0)) }
        spec["spec"] = body
        try YAMLEmitter.emit([spec]).write(toFile: w.specPath, atomically: true, encoding: .utf8)
    }

    /// The `kind load docker-image` calls in calls.log, by cluster (`--name`).
    static func loads(_ w: E2EWorld) -> [(cluster: String, images: [String])] {
        w.calls().filter { $0.tool == "kind" && $0.argv.dropFirst().starts(with: ["load", "docker-image"]) }.map { call in
            let args = Array(call.argv.dropFirst(3))
            let name = args.firstIndex(of: "--name").map { args[$0 + 1] } ?? ""
            return (name, Array(args.prefix(while: { $0 != "--name" })))
        }
    }

    /// The images the world's spec loads (`multidc images`).
    static func listedImages(_ w: E2EWorld) throws -> [String] {
        let r = w.multidc("images")
        try #require(r.exitCode == 0, "\(r)")
        return r.stdout.split(separator: "\n").map(String.init)
    }

    @Test(
        "(images a) a host lacking an image is refused or pulled before any cluster runs anything; then each image is loaded once per cluster and no node pulls"
    )
    func imagesFetchedOnce() async throws {
        try await withWorld { w in
            let listed = try Self.listedImages(w)
            #expect(listed.count == 5, "\(listed)")  // the operator's, MetalLB's two, Vault's and bank-vaults'
            let absent = "multidc-e2e-absent/app:\(w.id)"
            // pull: never and an image the host lacks: refused with the command to run.
            try Self.setImages(w, "{ preload: [ghcr.io/bank-vaults/vault-operator:v1.24.0, \(absent)], pull: never }")
            let refused = w.multidc("apply", ["--yes"])
            #expect(refused.exitCode == 1, "\(refused)")
            #expect(
                refused.stderr.contains(
                    "this host's docker lacks \(absent) and spec.images.pull is never: run `docker pull \(absent)`, or set spec.images.pull: missing"
                ), "\(refused)")
            // Nothing ran inside a cluster: MetalLB, the operator and Vault wait for the images.
            #expect(!w.calls().contains { $0.tool == "helm" && $0.isMutating }, "helm installed before the images were there")
            #expect(!w.calls().contains { $0.tool == "kubectl" && $0.argv.contains("apply") && $0.raw.contains("metallb") })
            #expect(Self.loads(w).isEmpty)

            // pull: missing: the real engine cannot reach a registry here, so docker pull fails, as offline.
            try Self.setImages(w, "{ preload: [ghcr.io/bank-vaults/vault-operator:v1.24.0, \(absent)] }")
            let offline = w.multidc("apply", ["--yes"])
            #expect(offline.exitCode == 1, "\(offline)")
            #expect(offline.stderr.contains("docker pull failed for \(absent): "), "\(offline)")
            #expect(offline.stderr.contains("fetch the image onto this host yourself (docker pull, docker load) and apply again"))
            #expect(Self.loads(w).isEmpty)

            // The example's images: each loaded into every cluster once, and no node pulls any.
            try Self.setImages(w, "{ preload: [ghcr.io/bank-vaults/vault-operator:v1.24.0] }")
            let (_, pending) = try w.planJSON()
            #expect(
                Set(w.clusterNames.map { "images/\($0)" } + ["images"]).isSubset(of: pending.ids(pending.changes)),
                "\(pending.ids(pending.changes))")
            let r = try Self.applied(w)
            #expect(r.stdout.contains("healthy: 3 of 3 voters"), "\(r)")
            let loads = Self.loads(w)
            #expect(loads.map(\.cluster).sorted() == w.clusterNames.sorted(), "\(loads)")
            for load in loads { #expect(Set(load.images) == Set(listed), "\(load)") }
            #expect(w.pulls().isEmpty, "nodes pulled: \(w.pulls())")
            // Recorded on the ownership record; the next plan has nothing to do and loads nothing.
            let record = w.run([
                "kubectl", "--context", "kind-\(w.cluster("secondary"))", "get", "configmap", "multidc-ownership", "-n", "default", "-o",
                "jsonpath={.metadata.annotations.multidc/images}",
            ])
            #expect(record.stdout.split(separator: ",").count == 5, "\(record)")
            #expect(record.stdout.contains("docker.io/hashicorp/vault:2.0.1"), "\(record)")
            let status = w.multidc("status")
            #expect(status.stdout.contains("images: 5 loaded in every cluster\n"), "\(status)")
            let json = w.multidc("status", ["-o", "json"])
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json)")
            let rows = try #require(document["images"] as? [[String: Any]], "\(json.stdout)")
            #expect(rows.count == 3)
            #expect(rows.allSatisfy { ($0["missing"] as? [String])?.isEmpty == true && $0["wanted"] as? Int == 5 }, "\(rows)")
            let (again, plan) = try w.planJSON()
            #expect(again.exitCode == 0, "\(again)")
            #expect(plan.actions.first { $0["id"] as? String == "images/\(w.cluster("primary"))" }?["change"] as? String == "in-sync")
            try Self.applied(w)
            #expect(Self.loads(w).count == 3, "a converged apply loaded again")
        }
    }

    @Test("(images b) without spec.images every node pulls each image; adding it loads them into the running clusters")
    func everyNodePullsWithoutImages() async throws {
        try await withWorld { w in
            let listed = try Self.listedImages(w)
            try Self.setImages(w, nil)
            let r = try Self.applied(w)
            #expect(r.stdout.contains("healthy: 3 of 3 voters"), "\(r)")
            #expect(Self.loads(w).isEmpty)
            let pulls = w.pulls()
            // One pull per image per node (each cluster has one node): the five images, three times each.
            #expect(pulls.count == 15, "\(pulls)")
            for image in listed { #expect(pulls.filter { $0.image == image }.count == 3, "\(image): \(pulls)") }
            #expect(Set(pulls.map(\.node)) == Set(w.clusterNames.map { "\($0)-control-plane" }))

            // Adding spec.images: the host step and one load per cluster, nothing else.
            try Self.setImages(w, "{ preload: [ghcr.io/bank-vaults/vault-operator:v1.24.0] }")
            let status = w.multidc("status")
            for c in w.clusterNames {
                #expect(status.stdout.contains("images: \(c) lacks \(listed.joined(separator: ", ")) (apply loads them)\n"), "\(status)")
            }
            let (changed, plan) = try w.planJSON()
            #expect(changed.exitCode == 2, "\(changed)")
            #expect(plan.ids(plan.changes) == Set(["images"] + w.clusterNames.map { "images/\($0)" }), "\(plan.ids(plan.changes))")
            try Self.applied(w)
            #expect(Self.loads(w).count == 3)
            #expect(w.pulls().count == 15, "pods that already ran pulled again")
        }
    }

    @Test(
        "(images c) a host whose docker keeps one platform (containerd image store): kind's workaround needs Docker 28, this daemon refuses it, and apply says the ways out; the classic store converges"
    )
    func containerdImageStore() async throws {
        try await withWorld { w in
            #expect(w.run(["fakeworld", "config", "image-store", "containerd"]).exitCode == 0)
            let failed = w.multidc("apply", ["--yes"])
            #expect(failed.exitCode == 1, "\(failed)")
            #expect(failed.stderr.contains("kind load docker-image failed: Command Output: ctr: content digest sha256:"), "\(failed)")
            // The real engine here is 20.10: `docker image save --platform` needs API 1.48.
            #expect(failed.stderr.contains("requires API version 1.48"), "\(failed)")
            #expect(failed.stderr.contains("Use Docker 28 or later, or turn off Docker's containerd image store"), "\(failed)")
            // Nothing ran on top of the images, and nothing claims they were loaded.
            #expect(!w.calls().contains { $0.tool == "helm" && $0.isMutating })
            #expect(w.pulls().isEmpty, "\(w.pulls())")
            let status = w.multidc("status")
            #expect(status.stdout.contains("images: \(w.cluster("primary")) lacks "), "\(status)")

            #expect(w.run(["fakeworld", "config", "image-store", "classic"]).exitCode == 0)
            let r = try Self.applied(w)
            #expect(r.stdout.contains("healthy: 3 of 3 voters"), "\(r)")
            #expect(w.pulls().isEmpty, "\(w.pulls())")
        }
    }
}
