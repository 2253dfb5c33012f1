import Foundation
import MultiDCTestSupport
import Testing
import YAML

@testable import MultiDC

/// Issue 11: every machine-readable output has a JSON Schema under specs/ (draft 2020-12), and
/// real outputs validate against it.
@Suite struct OutputSchemaTests {
    static func schema(_ name: String) throws -> SchemaValidator {
        let url = SchemaTests.root.appendingPathComponent("specs/\(name).schema.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        return SchemaValidator(root: try #require(try YAMLParser.parse(text, file: url.lastPathComponent)))
    }

    static func node(_ json: String) throws -> Node {
        try #require(try YAMLParser.parse(json, file: "output.json"))
    }

    @Test(arguments: ["validate", "status", "plan", "events"])
    func schemaIsDraft202012(_ name: String) throws {
        let validator = try Self.schema(name)
        #expect(validator.root["$schema"]?.string == "https://json-schema.org/draft/2020-12/schema")
        #expect(validator.root["$id"]?.string == "https://multidc.dev/schemas/\(name).schema.json")
    }

    @Test func statusOfAHealthyAndOfABrokenWorldValidate() async throws {
        let loaded = try SessionFixture.loaded()
        let healthy = ScriptedWorld(loaded, world: try SessionFixture.builder(loaded).converged())
        let broken = ScriptedWorld(
            loaded,
            world: try SessionFixture.builder(loaded).converged().editing("tertiary") {
                $0.reachability = .contextMissing("error: context was not found for specified context: kind-tertiary")
            }, health: .sealed(["tertiary"]))
        // With provenance recorded, in a git work tree (scripted) and outside one (the broken world).
        let recorded = ScriptedWorld(
            loaded, world: try SessionFixture.builder(loaded).converged().recording(ProvenanceTests.recorded(loaded))
        ) { ProvenanceTests.git($0, commit: ProvenanceTests.head, dirty: true) }
        let schema = try Self.schema("status")
        for script in [healthy, broken, recorded] {
            let json = await SessionFixture.session(script).status(loaded).json()
            #expect(schema.validate(try Self.node(json)) == [], "\(json)")
        }
        // Typed, not strings.
        let json = await SessionFixture.session(healthy).status(loaded).json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let rows = try #require(object["clusters"] as? [[String: Any]])
        #expect(rows.allSatisfy { $0["sealed"] as? Bool == false && $0["reachable"] as? Bool == true && $0["appliedIndex"] is Int })
        // A string where a boolean belongs is caught.
        #expect(!schema.validate(try Self.node(json.replacingOccurrences(of: #""sealed" : false"#, with: #""sealed" : "false""#))).isEmpty)
    }

    @Test func planDocumentsValidate() throws {
        let loaded = try SessionFixture.loaded()
        let schema = try Self.schema("plan")
        for world in [SessionFixture.builder(loaded).empty(), try SessionFixture.builder(loaded).converged()] {
            let plan = Planner.plan(PlanInput(loaded: loaded, world: world, environment: ActionRunnerTests.environment))
            #expect(schema.validate(try Self.node(PlanDocument.json(plan))) == [])
        }
    }

    @Test func everyKindOfEventValidates() async throws {
        let schema = try Self.schema("events")
        let time = Date(timeIntervalSince1970: 1_790_000_000.25)
        let kinds: [ExecutionEvent.Kind] = [
            .started(attempt: 1), .progress("waiting for CRD"), .retrying(attempt: 1, delay: .seconds(2), reason: "webhook"),
            .succeeded, .failed("boom"), .skipped(blockedBy: ["a"]), .cancelled(timedOut: true),
        ]
        var lines = kinds.map {
            EventStream.line(
                EventStream.fields(ExecutionEvent(jobID: "j", label: "+ j", group: "primary", elapsed: .milliseconds(1500), kind: $0)),
                time: time)
        }
        let loaded = try SessionFixture.loaded()
        let plan = Planner.plan(
            PlanInput(loaded: loaded, world: SessionFixture.builder(loaded).empty(), environment: ActionRunnerTests.environment))
        lines.append(EventStream.line(EventStream.fields(plan: plan, round: 1), time: time))
        let jobs = [
            ExecutionJob(id: "a", label: "+ a", group: "primary") { _ in throw PermanentError(description: "boom") },
            ExecutionJob(id: "b", label: "+ b", group: "primary", dependencies: ["a"]) { _ in },
            ExecutionJob(id: "c", label: "+ c") { try await $0.sleep(for: .seconds(3)) },
        ]
        let report = try await JobExecutor(clock: ManualClock()).run(jobs)
        lines.append(EventStream.line(EventStream.fields(report: report), time: time))
        lines.append(EventStream.line(["event": "outcome", "result": "converged"], time: time))
        lines.append(EventStream.line(["event": "health", "healthy": true, "summary": "healthy"], time: time))
        for commit in ["1a2b3c4d5e6f708192a3b4c5d6e7f80910111213", nil] {
            let recorded = Provenance(
                specDigest: loaded.specDigest, commit: commit, dirty: commit == nil ? nil : true, source: "spec.yaml", version: "0.1.0",
                time: "2026-05-01T12:00:00Z")
            let write = ProvenanceWrite(provenance: recorded, clusters: ["primary"], failures: ["secondary": "Forbidden"])
            lines.append(EventStream.line(EventStream.fields(provenance: write), time: time))
        }
        for line in lines {
            #expect(!line.contains("\n"))
            let node = try Self.node(line)
            #expect(schema.validate(node) == [], "\(line)")
            #expect(node["time"]?.string == "2026-09-21T14:13:20.250Z", "\(line)")
        }
        // The plan inside the plan event is a plan document.
        #expect(try Self.schema("plan").validate(try #require(try Self.node(lines[kinds.count])["plan"])) == [])
        // A line without `event` or `time` is not an event.
        #expect(!schema.validate(try Self.node(#"{"formatVersion":"multidc.events/v1","elapsed":1}"#)).isEmpty)
    }

    /// `multidc validate -o json` of the built binary, valid and invalid.
    @Test(.enabled(if: MultidcBinary.path != nil, "the built multidc binary was not found"))
    func validateOutputValidates() throws {
        let schema = try Self.schema("validate")
        let bad = FileManager.default.temporaryDirectory.appendingPathComponent("multidc-schema-\(UUID().uuidString).yaml")
        try "apiVersion: multidc/v1alpha1\nkind: Topology\nspec: {clusters: 3}\n".write(to: bad, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: bad) }
        for spec in [SchemaTests.root.appendingPathComponent("examples/vault-raft/spec.yaml").path, bad.path] {
            let r = try CommandLineTests.run([MultidcBinary.path!, "validate", spec, "-o", "json"])
            let node = try Self.node(r.stdout)
            #expect(schema.validate(node) == [], "\(r.stdout)")
            #expect(node["formatVersion"]?.string == "multidc.validate/v1")
        }
    }
}
