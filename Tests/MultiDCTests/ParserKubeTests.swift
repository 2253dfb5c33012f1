import Foundation
import Testing
import YAML

@testable import MultiDC

@Suite("Parser: kubectl, helm and kind")
struct ParserKubeTests {
    @Test("kubectl failures: connection refused (get, apply), context missing, NotFound, unknown type")
    func kubectlFailures() {
        #expect(
            Kubectl.failure(of: CommandResult(exitCode: 1, stderr: Fixture.kubectlRefused))
                == .unreachable("The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?"))
        guard case .unreachable = Kubectl.failure(of: CommandResult(exitCode: 1, stderr: Fixture.kubectlApplyRefused)) else {
            Issue.record("apply with the cluster down is not unreachable")
            return
        }
        #expect(
            Kubectl.failure(of: CommandResult(exitCode: 1, stderr: Fixture.kubectlContextMissing))
                == .contextMissing("Error in configuration: context was not found for specified context: kind-nope"))
        #expect(
            Kubectl.failure(of: CommandResult(exitCode: 1, stderr: "Error from server (NotFound): pods \"x\" not found\n"))
                == .notFound("Error from server (NotFound): pods \"x\" not found"))
        #expect(
            Kubectl.failure(of: CommandResult(exitCode: 1, stderr: "error: the server doesn't have a resource type \"vaults\"\n"))
                == .unknownResourceType("vaults"))
        #expect(
            Kubectl.failure(of: CommandResult(exitCode: 1, stderr: "Unable to connect to the server: net/http: TLS handshake timeout\n"))
                == .unreachable("Unable to connect to the server: net/http: TLS handshake timeout"))
    }

    @Test("kubectl get -o json: a List's items, an empty List, a single object")
    func kubectlObjects() throws {
        let items = try Kubectl.parseObjects(CommandResult(stdout: Fixture.kubectlSecretList))
        #expect(items.count == 1)
        let secret = KubeObject(node: items[0])
        #expect(secret.kind == "Secret")
        #expect(secret.name == "vault-unseal-keys")
        #expect(secret.namespace == "vault")
        #expect(items[0][path: "data", "vault-root"]?.string == "cy5hYmNkZWY=")
        #expect(items[0][path: "metadata", "resourceVersion"]?.string == "102")
        #expect(try Kubectl.parseObjects(CommandResult(stdout: Fixture.kubectlEmptyList)).isEmpty)
        let single = try Kubectl.parseObjects(CommandResult(stdout: #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"vault"}}"#))
        #expect(single.map { KubeObject(node: $0).name } == ["vault"])
        #expect(throws: ToolOutputError.self) { try Kubectl.parseObjects(CommandResult(exitCode: 1, stderr: Fixture.kubectlRefused)) }
    }

    @Test("kubectl argv: context, kubeconfig, multi-kind get, stdin apply")
    func kubectlArgv() {
        let k = Kubectl(context: "kind-primary", kubeconfig: "/tmp/kc")
        #expect(
            k.get(["namespaces", "pods"]).argv
                == ["kubectl", "--kubeconfig", "/tmp/kc", "--context", "kind-primary", "get", "namespaces,pods", "-A", "-o", "json"])
        #expect(
            Kubectl(context: "c").get(["secrets"], namespace: "vault", selector: "a=b").argv
                == ["kubectl", "--context", "c", "get", "secrets", "-n", "vault", "-l", "a=b", "-o", "json"])
        let apply = Kubectl(context: "c").apply(manifest: "kind: Secret\n", sensitive: true)
        #expect(apply.argv == ["kubectl", "--context", "c", "apply", "-f", "-"])
        #expect(apply.standardInput?.bytes == Array("kind: Secret\n".utf8))
        #expect(apply.description.contains("(sensitive)"))
        #expect(!apply.description.contains("kind: Secret"))
    }

    @Test("helm list: revision is a string; statuses; empty list; duplicates keep the highest revision")
    func helmList() throws {
        let releases = try Helm.parseList(CommandResult(stdout: Fixture.helmList))
        #expect(
            releases == [
                HelmRelease(
                    name: "vault", namespace: "vault", revision: 1, status: .deployed, chart: "vault-0.28.0", appVersion: "1.16.1",
                    updated: "2024-05-02 10:11:12.123456789 +0000 UTC")
            ])
        #expect(releases[0].chartVersion == "0.28.0")
        #expect(try Helm.parseList(CommandResult(stdout: "[]\n")).isEmpty)
        let many = """
            [{"name":"vault-operator","namespace":"default","revision":"2","updated":"-","status":"pending-upgrade","chart":"vault-operator-1.12.0","app_version":"1.12.0"},{"name":"vault-operator","namespace":"default","revision":"1","updated":"-","status":"superseded","chart":"vault-operator-1.11.0","app_version":"1.11.0"},{"name":"abc","namespace":"a","revision":"1","updated":"2022-06-15 02:44:41.606385155 -0700 PDT","status":"failed","chart":"abc-hello-0.1.0+rc-1.2.0-19","app_version":""}]
            """
        let parsed = try Helm.parseList(CommandResult(stdout: many))
        #expect(parsed.map(\.name) == ["abc", "vault-operator"])
        #expect(parsed[1].revision == 2)
        #expect(parsed[1].status == .pendingUpgrade)
        #expect(parsed[1].status.isPending)
        #expect(parsed[1].chartVersion == "1.12.0")
        #expect(parsed[0].status == .failed)
        #expect(parsed[0].chartVersion == "0.1.0+rc-1.2.0-19")
    }

    @Test("helm: unreachable cluster is detected, and parseList refuses the failure")
    func helmUnreachable() {
        let result = CommandResult(exitCode: 1, stderr: Fixture.helmUnreachable)
        #expect(Helm.unreachableMessage(result)?.hasPrefix("Error: Kubernetes cluster unreachable:") == true)
        #expect(Helm.unreachableMessage(CommandResult(exitCode: 1, stderr: "Error: release: not found\n")) == nil)
        #expect(throws: ToolOutputError.self) { try Helm.parseList(result) }
    }

    @Test("helm argv: values on stdin, never --set")
    func helmArgv() {
        let helm = Helm(kubeContext: "kind-a")
        // Every state named: helm 4 removed -a, helm 3 without it hides pending releases.
        #expect(
            helm.list().argv == [
                "helm", "list", "-A", "--deployed", "--failed", "--pending", "--superseded", "--uninstalling", "--uninstalled", "-o",
                "json",
                "--kube-context", "kind-a",
            ])
        let install = helm.upgradeInstall(
            release: "vault-operator", chart: "banzaicloud-stable/vault-operator", namespace: "default", version: "1.12.0",
            values: "image: {tag: latest}\n")
        #expect(
            install.argv == [
                "helm", "upgrade", "--install", "vault-operator", "banzaicloud-stable/vault-operator", "--namespace", "default",
                "--create-namespace", "--version", "1.12.0", "-f", "-", "--wait", "--timeout", "5m", "--kube-context", "kind-a",
            ])
        #expect(!install.argv.contains("--set"))
    }

    @Test("kind: clusters from node labels; argv")
    func kind() throws {
        let node = { (name: String, cluster: String, role: String, state: ContainerState) in
            DockerContainer(
                id: name, name: name, image: "kindest/node:v1.19.1", state: state,
                labels: [Kind.clusterLabel: cluster, Kind.roleLabel: role])
        }
        let clusters = Kind.clusters(from: [
            node("kind2-control-plane", "kind2", "control-plane", .running),
            node("kind-worker", "kind", "worker", .exited),
            node("kind-control-plane", "kind", "control-plane", .running),
            DockerContainer(id: "x", name: "central-vault", image: "vault:1.6.2", state: .running),
        ])
        #expect(clusters.map(\.name) == ["kind", "kind2"])
        #expect(clusters[0].nodes.map(\.name) == ["kind-control-plane", "kind-worker"])
        #expect(clusters[0].controlPlanes.count == 1)
        #expect(clusters[0].workers.count == 1)
        #expect(!clusters[0].isRunning)
        #expect(clusters[1].isRunning)
        #expect(Kind.context(forCluster: "primary") == "kind-primary")
        let create = Kind.createCluster(
            name: "primary", image: "kindest/node:v1.19.1", config: "kind: Cluster\n", wait: "2m", network: "multidc")
        #expect(
            create.argv == [
                "kind", "create", "cluster", "--name", "primary", "--image", "kindest/node:v1.19.1", "--config", "-", "--wait", "2m",
            ])
        #expect(create.environment["KIND_EXPERIMENTAL_DOCKER_NETWORK"]?.value == "multidc")
        #expect(Kind.createCluster(name: "a").environment.isEmpty)
        #expect(Kind.deleteCluster(name: "a").argv == ["kind", "delete", "cluster", "--name", "a"])
    }

    @Test(
        "MetalLB image tags",
        arguments: [
            ("quay.io/metallb/controller:v0.13.7", "v0.13.7"), ("metallb/controller:v0.9.3", "v0.9.3"),
            ("localhost:5000/metallb/controller:v0.12.1@sha256:abc", "v0.12.1"), ("localhost:5000/controller", nil),
        ] as [(String, String?)])
    func imageTags(image: String, tag: String?) {
        #expect(MetalLBState.imageTag(image) == tag)
    }
}
