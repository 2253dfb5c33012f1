import Foundation
import MultiDCTestSupport
import Testing

@testable import MultiDC

/// `vault status -format=json` samples built from the field list in docs/tools.md (#vault-seal-status,
/// #vault-leader, #vault-cli): 2-space indent as `json.MarshalIndent` writes it; omitempty keys left out when zero.
enum VaultStatusSample {
    static let leaderAddress = "https://vault-primary.vault.svc.cluster.local:8200"

    static func unsealed(
        isSelf: Bool, leader: String = leaderAddress, committed: UInt64 = 120, applied: UInt64 = 120,
        storage: String = "raft", clusterID: String = "c4ca5956-383b-20cc-7a7d-494e0b01f045"
    ) -> String {
        """
        {
          "type": "shamir",
          "initialized": true,
          "sealed": false,
          "t": 3,
          "n": 5,
          "progress": 0,
          "nonce": "",
          "version": "1.14.8",
          "build_date": "2023-12-04T17:45:33Z",
          "migration": false,
          "cluster_name": "vault-cluster-1e76691a",
          "cluster_id": "\(clusterID)",
          "recovery_seal": false,
          "storage_type": "\(storage)",
          "hcp_link_status": "",
          "hcp_link_resource_ID": "",
          "warnings": null,
          "ha_enabled": true,\(isSelf ? "\n  \"is_self\": true," : "")
          "active_time": "\(isSelf ? "2026-11-27T04:50:00Z" : "0001-01-01T00:00:00Z")",
          "leader_address": "\(leader)",
          "leader_cluster_address": "https://vault-primary-0.vault-internal:8201",
          "raft_committed_index": \(committed),
          "raft_applied_index": \(applied)
        }
        """
    }

    /// What `vault status` prints (exit 2) on a sealed raft node.
    static let sealed = """
        {
          "type": "shamir",
          "initialized": true,
          "sealed": true,
          "t": 3,
          "n": 5,
          "progress": 1,
          "nonce": "0b0f7d2e-6f3c-2b1d-0c2a-4f5e6d7c8b9a",
          "version": "1.14.8",
          "build_date": "2023-12-04T17:45:33Z",
          "migration": false,
          "recovery_seal": false,
          "storage_type": "raft",
          "ha_enabled": true,
          "active_time": "0001-01-01T00:00:00Z"
        }
        """

    static func status(_ text: String, exitCode: Int32 = 0) throws -> VaultNodeStatus {
        try VaultNodeStatus.parse(stdout: text, exitCode: exitCode).get()
    }
}

@Suite("Vault status parsing")
struct HealthParseTests {
    @Test func parsesAllFieldsOfTheLeader() throws {
        let s = try VaultStatusSample.status(VaultStatusSample.unsealed(isSelf: true, committed: 130, applied: 128))
        #expect(s.type == "shamir")
        #expect(s.initialized && !s.sealed)
        #expect((s.t, s.n, s.progress) == (3, 5, 0))
        #expect(s.version == "1.14.8")
        #expect(s.clusterName == "vault-cluster-1e76691a")
        #expect(s.clusterID == "c4ca5956-383b-20cc-7a7d-494e0b01f045")
        #expect(s.storageType == "raft")
        #expect(s.haEnabled && s.isSelf)
        #expect(s.activeTime == "2026-11-27T04:50:00Z")
        #expect(s.leaderAddress == VaultStatusSample.leaderAddress)
        #expect(s.leaderClusterAddress == "https://vault-primary-0.vault-internal:8201")
        #expect(s.raftCommittedIndex == 130)
        #expect(s.raftAppliedIndex == 128)
    }

    @Test func followerWithoutIsSelfKeyIsNotSelf() throws {
        let s = try VaultStatusSample.status(VaultStatusSample.unsealed(isSelf: false))
        #expect(!s.isSelf)
        #expect(s.activeTime == "0001-01-01T00:00:00Z")
    }

    @Test func unknownKeysAreIgnored() throws {
        let text = """
            {"type":"shamir","initialized":true,"sealed":false,"t":1,"n":1,"progress":0,"version":"1.19.1",
             "storage_type":"raft","ha_enabled":true,"is_self":true,"removed_from_cluster":false,
             "echo_duration_ms":3,"clock_skew_ms":0,"enterprise":false,"future":{"nested":[1,2]},
             "leader_address":"http://a:8200","raft_committed_index":7,"raft_applied_index":7}
            """
        let s = try VaultStatusSample.status(text)
        #expect(s.raftAppliedIndex == 7)
        #expect(s.removedFromCluster == false)
    }

    @Test func exitCodeTwoIsSealedWithJSONOnStdout() throws {
        let s = try VaultStatusSample.status(VaultStatusSample.sealed, exitCode: 2)
        #expect(s.sealed)
        #expect(s.progress == 1)
        #expect(s.clusterName == nil)
        #expect(s.raftAppliedIndex == 0)
    }

    @Test func exitCodeOneIsAnErrorFromStderr() {
        let result = VaultNodeStatus.parse(
            stdout: "",
            stderr:
                "Error checking seal status: Get \"http://127.0.0.1:8200/v1/sys/seal-status\": dial tcp 127.0.0.1:8200: connect: connection refused\n",
            exitCode: 1)
        #expect(
            result
                == .failure(
                    VaultStatusError(
                        message:
                            "vault status failed (exit 1): Error checking seal status: Get \"http://127.0.0.1:8200/v1/sys/seal-status\": dial tcp 127.0.0.1:8200: connect: connection refused"
                    )))
    }

    @Test func garbageIsAClearError() {
        let result = VaultNodeStatus.parse(stdout: "Key Value\n--- -----", exitCode: 0)
        #expect(result == .failure(VaultStatusError(message: "cannot read vault status output (exit 0): not JSON")))
        let missing = VaultNodeStatus.parse(stdout: #"{"sealed":false}"#, exitCode: 0)
        #expect(missing == .failure(VaultStatusError(message: "cannot read vault status output (exit 0): missing key 'initialized'")))
    }
}

@Suite("Raft health")
struct HealthTests {
    let other = "https://vault-secondary.vault.svc.cluster.local:8200"

    func node(_ cluster: String, _ pod: String, _ json: String, exitCode: Int32 = 0) throws -> NodeObservation {
        NodeObservation(cluster: cluster, pod: pod, status: try VaultStatusSample.status(json, exitCode: exitCode))
    }

    func threeNodes(secondary: String? = nil, tertiary: String? = nil) throws -> [NodeObservation] {
        [
            try node("primary", "vault-primary-0", VaultStatusSample.unsealed(isSelf: true)),
            try node("secondary", "vault-secondary-0", secondary ?? VaultStatusSample.unsealed(isSelf: false, applied: 118)),
            try node("tertiary", "vault-tertiary-0", tertiary ?? VaultStatusSample.unsealed(isSelf: false)),
        ]
    }

    @Test func healthyThreeNodes() throws {
        let report = RaftHealth.evaluate(nodes: try threeNodes(), expectedVoters: 3)
        #expect(report.isHealthy)
        #expect(report.problems.isEmpty)
        #expect(report.leader == "vault-primary-0")
        #expect(report.nodes.map(\.role) == [.leader, .follower, .follower])
        #expect(report.nodes.map(\.appliedIndex) == [120, 118, 120])
        #expect(report.summary == "healthy: 3 of 3 voters, leader vault-primary-0")
    }

    @Test func sealedNode() throws {
        let report = RaftHealth.evaluate(nodes: try threeNodes(tertiary: VaultStatusSample.sealed), expectedVoters: 3)
        #expect(!report.isHealthy)
        #expect(report.nodes[2].role == .sealed)
        #expect(report.nodes[2].sealed == true)
        #expect(report.nodes[2].reason == "sealed (unseal progress 1/3)")
        #expect(report.problems.isEmpty)
    }

    @Test func twoLeaders() throws {
        let report = RaftHealth.evaluate(
            nodes: try threeNodes(secondary: VaultStatusSample.unsealed(isSelf: true, leader: other)), expectedVoters: 3)
        #expect(!report.isHealthy)
        #expect(report.problems == ["2 leaders: vault-primary-0, vault-secondary-0"])
        #expect(report.leader == nil)
    }

    @Test func followerNamingAnotherLeader() throws {
        let report = RaftHealth.evaluate(
            nodes: try threeNodes(tertiary: VaultStatusSample.unsealed(isSelf: false, leader: other)), expectedVoters: 3)
        #expect(!report.isHealthy)
        #expect(
            report.nodes[2].reason == "names leader \(other), but the active leader vault-primary-0 is \(VaultStatusSample.leaderAddress)")
        #expect(report.nodes[1].isHealthy)
    }

    @Test func laggingFollower() throws {
        let report = RaftHealth.evaluate(
            nodes: try threeNodes(secondary: VaultStatusSample.unsealed(isSelf: false, applied: 100)), expectedVoters: 3, maxIndexLag: 10)
        #expect(!report.isHealthy)
        #expect(report.nodes[1].reason == "applied index 100 trails the leader's committed index 120 by 20 (at most 10 allowed)")
        let lenient = RaftHealth.evaluate(
            nodes: try threeNodes(secondary: VaultStatusSample.unsealed(isSelf: false, applied: 100)), expectedVoters: 3, maxIndexLag: 20)
        #expect(lenient.isHealthy)
    }

    @Test func wrongVoterCount() throws {
        let report = RaftHealth.evaluate(nodes: try threeNodes(), expectedVoters: 5)
        #expect(!report.isHealthy)
        #expect(report.problems == ["3 nodes but health.raft.voters is 5"])
        #expect(report.nodes.allSatisfy { $0.isHealthy })
    }

    @Test func unreachablePod() throws {
        var nodes = try threeNodes()
        nodes[1] = NodeObservation(
            cluster: "secondary", pod: "vault-secondary-0",
            result: VaultNodeStatus.parse(
                stdout: "", stderr: "Error from server (NotFound): pods \"vault-secondary-0\" not found\n", exitCode: 1))
        let report = RaftHealth.evaluate(nodes: nodes, expectedVoters: 3)
        #expect(!report.isHealthy)
        #expect(report.nodes[1].role == .unreachable)
        #expect(report.nodes[1].sealed == nil)
        #expect(
            report.nodes[1].reason == "vault status failed (exit 1): Error from server (NotFound): pods \"vault-secondary-0\" not found")
    }

    @Test func noLeaderAndWrongStorage() throws {
        let nodes = [
            try node("a", "vault-0", VaultStatusSample.unsealed(isSelf: false, storage: "file"))
        ]
        let report = RaftHealth.evaluate(nodes: nodes, expectedVoters: 1)
        #expect(report.problems == ["no active leader"])
        #expect(report.nodes[0].reason == "storage is file, not raft")
    }

    @Test func repeatedPodNamesAreQualifiedAndSplitClustersFlagged() throws {
        let nodes = [
            try node("primary", "vault-0", VaultStatusSample.unsealed(isSelf: true, clusterID: "id-a")),
            try node("secondary", "vault-0", VaultStatusSample.unsealed(isSelf: true, clusterID: "id-b")),
        ]
        let report = RaftHealth.evaluate(nodes: nodes, expectedVoters: 2)
        #expect(
            report.problems == [
                "2 leaders: primary/vault-0, secondary/vault-0",
                "nodes belong to 2 different Vault clusters (cluster_id id-a, id-b)",
            ])
    }

    @Test func tableIsAligned() throws {
        let report = RaftHealth.evaluate(nodes: try threeNodes(tertiary: VaultStatusSample.sealed), expectedVoters: 3)
        #expect(
            report.renderTable() == """
                CLUSTER    POD                ROLE      SEALED  APPLIED  REASON
                primary    vault-primary-0    leader    false   120
                secondary  vault-secondary-0  follower  false   118
                tertiary   vault-tertiary-0   sealed    true    0        sealed (unseal progress 1/3)

                """)
        #expect(report.renderText().hasPrefix("unhealthy: 1 of 3 nodes unhealthy\nCLUSTER"))
    }

    @Test func pollStopsWhenHealthy() async throws {
        let clock = ManualClock()
        let polls = Counter()
        let healthy = try threeNodes()
        let sealed = try threeNodes(tertiary: VaultStatusSample.sealed)
        var seen: [Bool] = []
        let report = await RaftHealthCheck.poll(
            expectedVoters: 3, timeout: .seconds(60), interval: .seconds(2), clock: clock,
            onReport: { seen.append($0.isHealthy) }
        ) {
            (polls.next() < 3 ? sealed : healthy, nil, nil)
        }
        #expect(report.isHealthy)
        #expect(seen == [false, false, true])
        #expect(clock.now == .seconds(4))
    }

    @Test func pollGivesUpAtTheTimeoutWithTheLastReport() async throws {
        let clock = ManualClock()
        let sealed = try threeNodes(tertiary: VaultStatusSample.sealed)
        let report = await RaftHealthCheck.poll(expectedVoters: 3, timeout: .seconds(5), interval: .seconds(2), clock: clock) {
            (sealed, nil, nil)
        }
        #expect(!report.isHealthy)
        #expect(report.nodes[2].role == .sealed)
        #expect(clock.now == .seconds(5))
    }

    @Test func reportEncodesAsJSON() throws {
        let report = RaftHealth.evaluate(nodes: try threeNodes(tertiary: VaultStatusSample.sealed), expectedVoters: 3)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(report)) as? [String: Any])
        #expect(object["healthy"] as? Bool == false)
        #expect(object["leader"] as? String == "vault-primary-0")
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["role"] as? String } == ["leader", "follower", "sealed"])
        #expect(nodes[2]["reasons"] as? [String] == ["sealed (unseal progress 1/3)"])
        #expect(nodes[1]["applied_index"] as? Int == 118)
    }
}
