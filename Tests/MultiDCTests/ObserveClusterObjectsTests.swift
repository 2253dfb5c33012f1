import Foundation
import Testing
import YAML

@testable import MultiDC

@Suite("Observe: cluster objects reader")
struct ObserveClusterObjectsTests {
    static func read(_ json: String, vaultNamespace: String = "vault", shared: [String] = []) throws -> ClusterObjects {
        let items = try Kubectl.parseObjects(CommandResult(stdout: json))
        return ClusterObjects(
            items: items, vaultNamespace: vaultNamespace, sharedSecretNames: shared,
            operatorRelease: "vault-operator", operatorNamespace: "vault-operator")
    }

    @Test("MetalLB ≥ v0.13: Helm-style controller, IPAddressPool and L2Advertisement objects")
    func metalLBCustomResources() throws {
        let objects = try Self.read(
            """
            {"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":""},"items":[
              {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"metallb-controller","namespace":"metallb-system",
               "labels":{"app.kubernetes.io/component":"controller"}},
               "spec":{"template":{"spec":{"containers":[{"name":"controller","image":"quay.io/metallb/controller:v0.13.7"}]}}},
               "status":{"conditions":[{"type":"Available","status":"False"}]}},
              {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"multidc","namespace":"metallb-system"},
               "spec":{"addresses":["172.18.1.128/25","192.168.9.1-192.168.9.5"]}},
              {"apiVersion":"metallb.io/v1beta1","kind":"L2Advertisement","metadata":{"name":"empty","namespace":"metallb-system"}}
            ]}
            """)
        #expect(objects.metalLB.installed)
        #expect(objects.metalLB.version == "v0.13.7")
        #expect(!objects.metalLB.controllerReady)
        #expect(objects.metalLB.addressPools.map(\.name) == ["multidc"])
        #expect(objects.metalLB.addressPools[0].addresses == ["172.18.1.128/25", "192.168.9.1-192.168.9.5"])
        #expect(objects.metalLB.l2Advertisements.map(\.name) == ["empty"])
        #expect(objects.metalLB.legacyConfig == nil)
        #expect(!objects.metalLB.memberlistSecretPresent)
    }

    @Test("nothing installed: empty view, CRD not established, no operator")
    func empty() throws {
        let objects = try Self.read(Fixture.kubectlEmptyList)
        #expect(objects == ClusterObjects())
        #expect(!objects.vaultCRDEstablished)
        #expect(!objects.metalLB.installed)
        #expect(!objects.metalLB.controllerReady)
    }

    @Test("a CRD without Established=True; the operator found by its instance label in its namespace")
    func crdAndOperator() throws {
        let objects = try Self.read(
            """
            {"apiVersion":"v1","kind":"List","items":[
              {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"vaults.vault.banzaicloud.com"},
               "status":{"conditions":[{"type":"Established","status":"False"}]}},
              {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"vault-operator","namespace":"default"}},
              {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"op","namespace":"vault-operator",
               "labels":{"app.kubernetes.io/instance":"vault-operator"}},"spec":{"replicas":2},"status":{"readyReplicas":2,
               "conditions":[{"type":"Available","status":"True"}]}}
            ]}
            """)
        #expect(objects.customResourceDefinitions["vaults.vault.banzaicloud.com"]?.established == false)
        #expect(!objects.vaultCRDEstablished)
        #expect(
            objects.operatorDeployment
                == DeploymentState(
                    name: "op", namespace: "vault-operator", labels: ["app.kubernetes.io/instance": "vault-operator"], replicas: 2,
                    readyReplicas: 2,
                    available: true))
        #expect(!objects.metalLB.installed, "a deployment outside metallb-system is not MetalLB")
    }

    @Test("only the named secrets of the vault namespace are kept; Vault objects of other namespaces are ignored")
    func scoping() throws {
        let objects = try Self.read(
            """
            {"apiVersion":"v1","kind":"List","items":[
              {"apiVersion":"v1","kind":"Secret","metadata":{"name":"vault-tls","namespace":"vault"},"type":"kubernetes.io/tls"},
              {"apiVersion":"v1","kind":"Secret","metadata":{"name":"vault-tls","namespace":"default"},"type":"kubernetes.io/tls"},
              {"apiVersion":"v1","kind":"Secret","metadata":{"name":"other","namespace":"vault"},"type":"Opaque"},
              {"apiVersion":"vault.banzaicloud.com/v1alpha1","kind":"Vault","metadata":{"name":"vault","namespace":"default"}},
              {"apiVersion":"v1","kind":"Pod","metadata":{"name":"vault-0","namespace":"default","labels":{"vault_cr":"vault"}}},
              {"apiVersion":"v1","kind":"Service","metadata":{"name":"vault","namespace":"vault","labels":{"vault_cr":"vault"}},
               "spec":{"type":"ClusterIP"}}
            ]}
            """, shared: ["vault-tls"])
        #expect(objects.sharedSecrets.keys.sorted() == ["vault-tls"])
        #expect(objects.sharedSecrets["vault-tls"]?.namespace == "vault")
        #expect(objects.vaults.isEmpty)
        #expect(objects.vaultPods.isEmpty)
        #expect(objects.vaultServices.map(\.type) == ["ClusterIP"])
        #expect(!objects.vaultServices[0].isPending, "only a LoadBalancer Service can be pending")
    }

    @Test("legacy MetalLB config: pools read, bad YAML reported")
    func legacyConfig() {
        let good = MetalLBState.parseLegacyConfig(
            """
            address-pools:
            - name: default
              protocol: layer2            # or bgp
              addresses:
              - 172.18.255.200-172.18.255.250
            """)
        #expect(good.error == nil)
        #expect(good.pools == [.init(name: "default", protocol: "layer2", addresses: ["172.18.255.200-172.18.255.250"])])
        let bad = MetalLBState.parseLegacyConfig("address-pools: [\n")
        #expect(bad.pools.isEmpty)
        #expect(bad.error?.hasPrefix("metallb-system/config:") == true)
    }
}

@Suite("Observe: copying a live object")
struct ObserveKubeObjectCopyTests {
    @Test("the reference's live Secret loses server fields and keeps type and data")
    func strip() throws {
        let item = try #require(try Kubectl.parseObjects(CommandResult(stdout: Fixture.kubectlSecretList)).first)
        let manifest = KubeObject(node: item).manifestForCopy(namespace: "vault-b")
        let metadata = try #require(manifest["metadata"])
        #expect(metadata["resourceVersion"] == nil)
        #expect(metadata["uid"] == nil)
        #expect(metadata["creationTimestamp"] == nil)
        #expect(metadata["annotations"] == nil)
        #expect(metadata["name"]?.string == "vault-unseal-keys")
        #expect(metadata["namespace"]?.string == "vault-b")
        #expect(manifest["type"]?.string == "Opaque")
        #expect(manifest[path: "data", "vault-unseal-0"]?.string == "MDFhYmNk")
        #expect(KubeObject(node: item).manifestForCopy()[path: "metadata", "namespace"]?.string == "vault")
    }
}
