import Foundation
import Testing
import YAML

@testable import MultiDC

/// The terminal rendering and the JSON document of a plan.
@Suite struct PlanOutputTests {
    static let smallPlan: Plan = {
        var cluster = PlanAction(
            id: "cluster/secondary", change: .replace,
            step: KindClusterResource.Create(name: "secondary", image: nil, workers: 0, network: "kind", deleteFirst: true),
            resource: "kind cluster secondary", reason: "its control-plane container is gone", observed: "1 node(s)",
            needs: ["network"], dataLoss: "cluster secondary holds a Vault node whose data is lost")
        cluster.dependsOn = ["network"]
        return Plan(
            topology: "demo",
            actions: [
                PlanAction(
                    id: "network", change: .create, step: NetworkResource.Create(name: "kind", subnet: nil, removing: nil),
                    resource: "docker network kind", reason: "no docker network named kind"),
                PlanAction(
                    id: "kms", change: .inSync, step: KMSResource.Start(names: ["central-vault"]), resource: "KMS container central-vault",
                    reason: "running vault:1.6.2"),
                PlanAction(
                    id: "vault/primary", change: .update, step: VaultResource.Apply(cluster: "primary", deleteFirst: false),
                    resource: "Vault CR vault-primary", reason: "3 field(s) differ from the rendered template",
                    fields: [
                        FieldChange(path: "vault-primary: spec.size", before: "3", after: "1"),
                        FieldChange(path: "vault-primary: spec.unsealConfig.vault.token", before: "(sensitive)", after: "(sensitive)"),
                        FieldChange(path: "vault-primary: spec.extra", before: "x", after: nil),
                    ]),
                cluster,
            ],
            problems: [PlanProblem(cluster: "tertiary", "the API server of context kind-tertiary is unreachable: connection refused")],
            notes: ["pools are cut from 172.18.0.0/16, the subnet docker gave network kind"])
    }()

    @Test func rendersTheExactText() {
        let text = PlanRenderer(color: false).render(Self.smallPlan)
        #expect(
            text == """
                Topology demo: what apply would do

                global
                  +   docker network kind — no docker network named kind
                  =   KMS container central-vault — running vault:1.6.2

                cluster primary
                  ~   Vault CR vault-primary — 3 field(s) differ from the rendered template
                        ~ vault-primary: spec.size: 3 → 1
                        ~ vault-primary: spec.unsealConfig.vault.token: (sensitive) → (sensitive)
                        ~ vault-primary: spec.extra: x → (removed)

                cluster secondary
                  -/+ kind cluster secondary — its control-plane container is gone (observed: 1 node(s))
                        ! data loss: cluster secondary holds a Vault node whose data is lost

                note: pools are cut from 172.18.0.0/16, the subnet docker gave network kind

                error: cluster tertiary: the API server of context kind-tertiary is unreachable: connection refused

                Plan: 2 to add, 1 to change, 1 to destroy.

                """)
        #expect(!text.contains("\u{1B}"))
    }

    @Test func hidesInSyncWhenAsked() {
        let text = PlanRenderer(color: false, showInSync: false).render(Self.smallPlan)
        #expect(!text.contains("KMS container central-vault"))
        #expect(text.contains("docker network kind"))
    }

    @Test func colourOnlyWhenAsked() throws {
        let colored = PlanRenderer(color: true).render(Self.smallPlan)
        #expect(colored.contains("\u{1B}[32m+  \u{1B}[0m"))
        #expect(colored.contains("\u{1B}[35m-/+\u{1B}[0m"))
        #expect(colored.contains("\u{1B}[1mcluster primary\u{1B}[0m"))
        let stripped = colored.replacingOccurrences(of: #"\u001B\[[0-9;]*m"#, with: "", options: .regularExpression)
        #expect(stripped == PlanRenderer(color: false).render(Self.smallPlan))

        // A real plan, rendered plain: no escape at all, and the converged one ends with No changes.
        let loaded = try PlanFixture.load(PlanFixture.spec())
        let converged = Planner.plan(PlanInput(loaded: loaded, world: try WorldBuilder(loaded).converged()))
        let plain = PlanRenderer(color: false).render(converged)
        #expect(!plain.contains("\u{1B}"))
        #expect(plain.hasSuffix("\nNo changes.\n"))
        let empty = Planner.plan(PlanInput(loaded: loaded, world: WorldBuilder(loaded).empty()))
        #expect(!PlanRenderer(color: false).render(empty).contains("\u{1B}"))
        #expect(
            PlanRenderer(color: false).render(empty).hasSuffix(
                "\nPlan: 23 to add, 0 to change, 0 to destroy.\nRuns as 26 steps, 3 of them readiness waits.\n"))
    }

    @Test func jsonDocument() throws {
        let json = PlanDocument.json(Self.smallPlan)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(root["formatVersion"] as? String == "multidc.plan/v1")
        #expect(root["topology"] as? String == "demo")
        #expect(root["purpose"] as? String == "apply")
        let summary = try #require(root["summary"] as? [String: Any])
        #expect(summary["add"] as? Int == 2)
        #expect(summary["change"] as? Int == 1)
        #expect(summary["destroy"] as? Int == 1)
        #expect(summary["changes"] as? Bool == true)
        let actions = try #require(root["actions"] as? [[String: Any]])
        #expect(actions.map { $0["id"] as? String } == ["network", "kms", "vault/primary", "cluster/secondary"])
        #expect(actions.map { $0["change"] as? String } == ["create", "in-sync", "update", "replace"])
        #expect(actions.map { $0["symbol"] as? String } == ["+", "=", "~", "-/+"])
        #expect(actions[0]["cluster"] is NSNull)
        #expect(actions[0]["observed"] is NSNull)
        #expect(actions[0]["dataLoss"] is NSNull)
        #expect(actions[3]["cluster"] as? String == "secondary")
        #expect(actions[3]["observed"] as? String == "1 node(s)")
        #expect(actions[3]["dependsOn"] as? [String] == ["network"])
        #expect(actions[3]["dataLoss"] as? String == "cluster secondary holds a Vault node whose data is lost")
        #expect(
            Set(actions[0].keys) == [
                "id", "change", "symbol", "cluster", "resource", "reason", "observed", "dependsOn", "dataLoss", "fields",
            ])
        let fields = try #require(actions[2]["fields"] as? [[String: Any]])
        #expect(fields.count == 3)
        #expect(fields[0]["path"] as? String == "vault-primary: spec.size")
        #expect(fields[0]["before"] as? String == "3")
        #expect(fields[0]["after"] as? String == "1")
        #expect(fields[1]["before"] as? String == "(sensitive)")
        #expect(fields[2]["after"] is NSNull)
        let problems = try #require(root["problems"] as? [[String: Any]])
        #expect(problems.count == 1)
        #expect(problems[0]["cluster"] as? String == "tertiary")
        #expect(problems[0]["message"] as? String == "the API server of context kind-tertiary is unreachable: connection refused")
        #expect(root["notes"] as? [String] == ["pools are cut from 172.18.0.0/16, the subnet docker gave network kind"])
    }

    @Test func jsonOfNoChanges() throws {
        let json = PlanDocument.json(Plan(topology: "t"))
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let summary = try #require(root["summary"] as? [String: Any])
        #expect(summary["changes"] as? Bool == false)
        #expect(summary["add"] as? Int == 0)
        #expect((root["actions"] as? [Any])?.isEmpty == true)
        #expect(root["problems"] is [Any] && root["notes"] is [Any])
    }
}

/// A token embedded in a longer scalar (`Bearer ${{ kms.token }}`) is compared through the
/// fingerprint too, and the live text never reaches the plan.
@Suite struct PlanSensitiveTests {
    static func load() throws -> (LoadedTopology, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("multidc-plantests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try """
        apiVersion: vault.banzaicloud.com/v1alpha1
        kind: Vault
        metadata:
          name: vault-${{ cluster.name }}
        spec:
          size: 1
          envsConfig:
            - name: VAULT_AUTH_HEADER
              value: "Bearer ${{ kms.token }}"
          unsealConfig:
            vault:
              address: http://${{ kms.address }}:8200
              token: ${{ kms.token }}

        """.write(to: directory.appendingPathComponent("vault-embedded.yaml"), atomically: true, encoding: .utf8)
        let spec = PlanFixture.spec(clusters: ["primary"])
            .replacingOccurrences(of: "template: vault-cr.yaml", with: "template: vault-embedded.yaml")
            .replacingOccurrences(of: "    shareSecrets: [vault-primary-tls]\n", with: "")
        return (try PlanFixture.load(spec, directory: directory.path), directory.path)
    }

    @Test func embeddedTokenMatchesByFingerprintAndNeverShows() throws {
        let (loaded, directory) = try Self.load()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let builder = WorldBuilder(loaded)
        let converged = try builder.converged()
        #expect(
            converged.clusters[0].objects.vaults["vault-primary"]?.node[path: "spec", "envsConfig"]?.sequence?.first?["value"]?.string
                == "Bearer \(builder.token)")
        var plan = Planner.plan(PlanInput(loaded: loaded, world: converged))
        #expect(plan.changes.isEmpty, "\(plan.changes.flatMap(\.fields))")

        let stale = "hvs.STALE-token-never-printed"
        plan = Planner.plan(
            PlanInput(
                loaded: loaded,
                world: converged.editing("primary") {
                    var cr = $0.objects.vaults["vault-primary"]!.node
                    cr["spec"]?["envsConfig"] = .sequence([
                        .mapping(["name": .string("VAULT_AUTH_HEADER"), "value": .string("Bearer \(stale)")])
                    ])
                    $0.objects.vaults["vault-primary"] = KubeObject(node: cr)
                }))
        #expect(
            plan.action("vault/primary")?.fields == [
                FieldChange(path: "vault-primary: spec.envsConfig[0].value", before: "(sensitive)", after: "(sensitive)")
            ])
        let text = PlanRenderer(color: false).render(plan) + PlanDocument.json(plan)
        #expect(!text.contains(stale))
        #expect(!text.contains(builder.token))
    }
}
