import Foundation
import Testing

/// A converged world meets what happens to real tools on a laptop — helm upgraded to 4, a
/// kubeconfig context lost, a node container paused — and one apply brings it back.
@Suite("End to end: real-tool changes under a converged world", .serialized)
struct RealToolsTests {
    /// Converges the example, then checks one more apply after `change` ends healthy.
    static func convergedThenOneApply(
        _ w: E2EWorld, change: (E2EWorld) throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ProcResult {
        let first = w.multidc("apply", ["--yes"])
        #expect(first.exitCode == 0, "\(first)", sourceLocation: sourceLocation)
        try change(w)
        let again = w.multidc("apply", ["--yes"])
        #expect(again.exitCode == 0, "\(again)", sourceLocation: sourceLocation)
        try w.expectHealthy(voters: 3, leader: w.leader, sourceLocation: sourceLocation)
        return again
    }

    @Test("helm 4 instead of helm 3: observation still works, nothing to change")
    func helmFour() async throws {
        try await withWorld { w in
            let again = try Self.convergedThenOneApply(w) { w in
                #expect(w.run(["fakeworld", "config", "helm-major", "4"]).exitCode == 0)
                #expect(w.run(["helm", "version", "--short"]).stdout.hasPrefix("v4."))
            }
            #expect(again.stdout.contains("No changes."), "\(again)")
            let diff = w.multidc("diff", ["--detailed-exitcode"])
            #expect(diff.exitCode == 0, "\(diff)")
        }
    }

    @Test("a lost kubeconfig context is exported again by a planned action")
    func lostContext() async throws {
        try await withWorld { w in
            let tertiary = w.cluster("tertiary")
            let again = try Self.convergedThenOneApply(w) { w in
                #expect(w.run(["kubectl", "config", "delete-context", "kind-\(tertiary)"]).exitCode == 0)
            }
            #expect(again.stdout.contains("its kubeconfig context kind-\(tertiary) is missing; export it again"), "\(again)")
            #expect(w.calls().contains { $0.tool == "kind" && $0.argv.contains("export") && $0.argv.contains(tertiary) })
        }
    }

    @Test("a paused node is unpaused (docker start refuses paused containers)")
    func pausedNode() async throws {
        try await withWorld { w in
            let secondary = w.cluster("secondary")
            let again = try Self.convergedThenOneApply(w) { w in
                #expect(w.docker(["pause", "\(secondary)-control-plane"]).exitCode == 0)
            }
            #expect(again.stdout.contains("are paused; unpause them"), "\(again)")
            #expect(w.docker(["inspect", "-f", "{{.State.Status}}", "\(secondary)-control-plane"]).stdout.hasPrefix("running"))
        }
    }

    @Test("a paused KMS is unpaused")
    func pausedKMS() async throws {
        try await withWorld { w in
            let again = try Self.convergedThenOneApply(w) { w in
                #expect(w.docker(["pause", w.kmsName]).exitCode == 0)
            }
            #expect(again.stdout.contains("the container is paused; unpause it"), "\(again)")
        }
    }

    @Test("apply refuses before changing anything when a tool is missing, naming it")
    func missingTool() async throws {
        try await withWorld { w in
            let bin = FileManager.default.temporaryDirectory.appendingPathComponent("multidc-nohelm-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: bin) }
            // PATH without helm: every other tool is linked in.
            for tool in ["docker", "kind", "kubectl"] {
                let path = try #require(w.run(["which", tool]).stdout.split(separator: "\n").first.map(String.init))
                try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent(tool).path, withDestinationPath: path)
            }
            let r = w.multidc("apply", ["--yes"], env: ["PATH": bin.path])
            #expect(r.exitCode == 1, "\(r)")
            #expect(r.stderr.contains("nothing was changed: helm cannot be run"), "\(r)")
            #expect(!w.calls().contains { $0.isMutating }, "\(w.callsLogText)")
            for c in w.clusterNames { #expect(w.containers(["label=io.x-k8s.kind.cluster=\(c)"]).isEmpty) }
        }
    }
}
