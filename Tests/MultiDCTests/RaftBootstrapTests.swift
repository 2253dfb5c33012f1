import Foundation
import Testing
import YAML

@testable import MultiDC

/// `vault.leader` only bootstraps Raft: a change of it over a running Raft cluster is a
/// re-bootstrap (data loss), and no two clusters may render `raftLeaderAddress: self`.
@Suite struct RaftBootstrapTests {
    @Test func aLeaderChangeOverALiveRaftIsARebootstrapMarkedAsDataLoss() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let world = try WorldBuilder(loaded).converged()
        #expect(RaftBootstrapResource.observedBootstrapCluster(world) == "primary")
        // The spec moves the leader to secondary, templates included (one leader template).
        let movedText = PlanFixture.spec().replacingOccurrences(of: "leader: primary", with: "leader: secondary")
            .replacingOccurrences(
                of: "    - name: primary\n", with: "    - name: primary\n      vault: { template: vault-follower.yaml }\n"
            )
            .replacingOccurrences(
                of: "    - name: secondary\n      vault: { template: vault-follower.yaml }\n", with: "    - name: secondary\n")
        let moved = try PlanFixture.load(movedText)
        let plan = Planner.plan(PlanInput(loaded: moved, world: world))
        let vaults = plan.changes.filter { if case .vault = $0.id { true } else { false } }
        #expect(vaults.count == 3)
        #expect(vaults.allSatisfy { $0.change == .replace && ($0.step as? VaultResource.Apply)?.deleteFirst == true })
        #expect(vaults.allSatisfy { $0.dataLoss?.hasPrefix("re-bootstrapping Raft with leader secondary") == true })
        let reason = try #require(plan.action("vault/tertiary")?.reason)
        #expect(reason.contains("vault.leader moved from primary to secondary"))
        #expect(reason.contains("to keep the data, set vault.leader back to primary"))
        // Each re-created CR waits for its pods; the followers wait for the new leader's.
        #expect(plan.action("vault-ready/primary") != nil)
        #expect(plan.action("vault/primary")?.dependsOn.contains(.vaultReady("secondary")) == true)
        #expect(!plan.dataLosses.isEmpty, "apply refuses it without --allow-data-loss")
        // The KMS holds the old Raft cluster's keys: it is emptied before the new leader initialises
        // (seen end to end: the new leader's bank-vaults refused to init over the old keys).
        #expect((plan.action("vault/secondary")?.step as? VaultResource.Apply)?.restartKMS == "central-vault")
        #expect((plan.action("vault/primary")?.step as? VaultResource.Apply)?.restartKMS == nil)
    }

    @Test func theSameLeaderChangesNothing() throws {
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let plan = Planner.plan(PlanInput(loaded: loaded, world: try WorldBuilder(loaded).converged()))
        #expect(plan.summaryLine == "No changes.")
    }

    @Test func twoBootstrapTemplatesAreAnErrorOfValidate() throws {
        // Every cluster on the leader's template: all three render raftLeaderAddress: self.
        var text = PlanFixture.spec()
        text = text.replacingOccurrences(of: "vault: { template: vault-follower.yaml }", with: "vault: { template: vault-cr.yaml }")
        let error = try #require(throws: Diagnostics.self) { try PlanFixture.load(text) }
        let messages = error.items.map(\.message).filter { $0.contains("raftLeaderAddress: self") }
        #expect(messages.count == 2)
        #expect(
            messages.first?.hasPrefix("cluster secondary's Vault CR renders raftLeaderAddress: self, as cluster primary's does") == true)
    }
}
