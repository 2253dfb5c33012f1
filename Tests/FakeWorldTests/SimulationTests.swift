import Foundation
import Testing

let native = "https://raw.githubusercontent.com/metallb/metallb/v0.13.10/config/manifests/metallb-native.yaml"

func lbService(_ name: String, ip: String? = nil) -> String {
    "apiVersion: v1\nkind: Service\nmetadata: {name: \(name), namespace: default}\nspec:\n  type: LoadBalancer\n\(ip.map { "  loadBalancerIP: \($0)\n" } ?? "")  ports: [{port: 80}]\n"
}

@Suite(.needsDocker, .serialized) struct SimulationTests {
    @Test func metallbLegacyConfigMap() throws {
        let (w, _) = try clusterWorld("m")
        defer { w.cleanup() }
        _ = w.kubectl("apply", "-f", "https://raw.githubusercontent.com/metallb/metallb/v0.12.1/manifests/namespace.yaml")
        _ = w.kubectl("apply", "-f", "https://raw.githubusercontent.com/metallb/metallb/v0.12.1/manifests/metallb.yaml")
        // Without the memberlist secret the speaker cannot start.
        #expect(
            w.kubectl(
                "-n", "metallb-system", "get", "pods", "-l", "component=speaker", "-o",
                "jsonpath={.items[0].status.containerStatuses[0].state.waiting.reason}"
            ).stdout == "CreateContainerConfigError")
        _ = w.kubectl("-n", "metallb-system", "create", "secret", "generic", "memberlist", "--from-literal=secretkey=x")
        #expect(w.kubectl("wait", "-n", "metallb-system", "--for=condition=ready", "pod", "-l", "app=metallb").code == 0)
        _ = w.kubectl("apply", "-f", "-", stdin: lbService("nopool"))
        #expect(w.kubectl("get", "svc", "nopool", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout == "")
        let cm =
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: metallb-system, name: config}\ndata:\n  config: |\n    address-pools:\n    - name: default\n      protocol: layer2\n      addresses:\n      - 10.99.1.128/25\n"
        _ = w.kubectl("apply", "-f", "-", stdin: cm)
        #expect(w.kubectl("get", "svc", "nopool", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout == "10.99.1.128")
        _ = w.kubectl("apply", "-f", "-", stdin: lbService("pinned", ip: "10.99.1.200"))
        _ = w.kubectl("apply", "-f", "-", stdin: lbService("next"))
        _ = w.kubectl("apply", "-f", "-", stdin: lbService("outside", ip: "10.99.2.5"))
        #expect(w.kubectl("get", "svc", "pinned", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout == "10.99.1.200")
        #expect(w.kubectl("get", "svc", "next", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout == "10.99.1.129")
        #expect(w.kubectl("get", "svc", "outside", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout == "")
        #expect(w.kubectl("get", "svc", "outside").stdout.contains("<pending>"))
    }

    @Test func metallbCRDsWebhookAndLatency() throws {
        let (w, _) = try clusterWorld("n")
        defer { w.cleanup() }
        w.env["FAKEWORLD_LATENCY"] = "metallb-ready=3s"
        let applied = w.kubectl("apply", "-f", native)
        #expect(applied.code == 0)
        #expect(applied.stdout.contains("customresourcedefinition.apiextensions.k8s.io/ipaddresspools.metallb.io created\n"))
        #expect(
            applied.stdout.contains("validatingwebhookconfiguration.admissionregistration.k8s.io/metallb-webhook-configuration created\n"))
        let pool =
            "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p, namespace: metallb-system}\nspec:\n  addresses: [10.98.1.128/25]\n---\napiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: l2, namespace: metallb-system}\n"
        let early = w.kubectl("apply", "-f", "-", stdin: pool)
        #expect(early.code == 1)
        #expect(
            early.stderr.hasPrefix(
                "Error from server (InternalError): error when creating \"STDIN\": Internal error occurred: failed calling webhook \"ipaddresspoolvalidationwebhook.metallb.io\": failed to call webhook: Post \"https://webhook-service.metallb-system.svc:443/validate-metallb-io-v1beta1-ipaddresspool?timeout=10s\": dial tcp "
            ))
        // A ConfigMap is ignored from v0.13 on.
        let cm =
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {namespace: metallb-system, name: config}\ndata:\n  config: |\n    address-pools:\n    - name: default\n      protocol: layer2\n      addresses: [10.98.1.128/25]\n"
        _ = w.kubectl("apply", "-f", "-", stdin: cm)
        #expect(w.kubectl("wait", "-n", "metallb-system", "--for=condition=ready", "pod", "-l", "app=metallb", "--timeout=60s").code == 0)
        _ = w.kubectl("apply", "-f", "-", stdin: lbService("s"))
        #expect(w.kubectl("get", "svc", "s", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout == "")
        #expect(
            w.kubectl("apply", "-f", "-", stdin: pool).stdout
                == "ipaddresspool.metallb.io/p created\nl2advertisement.metallb.io/l2 created\n")
        #expect(w.kubectl("get", "svc", "s", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}").stdout == "10.98.1.128")
    }

    @Test func webhookNeverReadyFault() throws {
        let (w, name) = try clusterWorld("o")
        defer { w.cleanup() }
        w.env["FAKEWORLD_FAULTS"] = "webhook-never-ready:\(name)"
        _ = w.kubectl("apply", "-f", native)
        #expect(w.kubectl("wait", "-n", "metallb-system", "--for=condition=available", "deployment/controller").code == 0)
        let r = w.kubectl(
            "apply", "-f", "-",
            stdin:
                "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p, namespace: metallb-system}\nspec: {addresses: [10.97.0.0/24]}\n"
        )
        #expect(r.code == 1)
        #expect(r.stderr.contains("failed calling webhook \"ipaddresspoolvalidationwebhook.metallb.io\""))
    }

    @Test func crdEstablishedAndPodReadyLatencies() throws {
        let (w, name) = try clusterWorld("q")
        defer { w.cleanup() }
        w.env["FAKEWORLD_LATENCY"] = "crd-established=3s,pod-ready=3s"
        #expect(w.helm("upgrade", "--install", "vault-operator", operatorChart).code == 0)
        let cr = vaultCR(name: "vault", kms: "nosuch-kms", token: "t", leaderAddress: "self", serviceType: "ClusterIP")
        let early = w.kubectl("apply", "-f", "-", stdin: cr)
        #expect(early.code == 1)
        #expect(
            early.stderr
                == "error: resource mapping not found for name: \"vault\" namespace: \"default\" from \"STDIN\": no matches for kind \"Vault\" in version \"vault.banzaicloud.com/v1alpha1\"\nensure CRDs are installed first\n"
        )
        #expect(w.kubectl("wait", "--for=condition=established", "crd/vaults.vault.banzaicloud.com", "--timeout=0").code == 1)
        #expect(
            w.kubectl("wait", "--for=condition=Established", "crd/vaults.vault.banzaicloud.com", "--timeout=60s").stdout
                == "customresourcedefinition.apiextensions.k8s.io/vaults.vault.banzaicloud.com condition met\n")
        #expect(w.kubectl("wait", "--for=condition=available", "deployment/vault-operator", "--timeout=60s").code == 0)
        #expect(w.kubectl("apply", "-f", "-", stdin: cr).stdout == "vault.vault.banzaicloud.com/vault created\n")
        // The operator made the StatefulSet (and through it the pod and its claim), the Service and the TLS secret.
        #expect(
            w.kubectl("get", "statefulset/vault", "pod/vault-0", "pvc/vault-raft-vault-0", "svc/vault", "secret/vault-tls", "-o", "name")
                .stdout
                == "statefulset.apps/vault\npod/vault-0\npersistentvolumeclaim/vault-raft-vault-0\nservice/vault\nsecret/vault-tls\n")
        #expect(w.kubectl("get", "secret", "vault-tls", "-o", "jsonpath={.type}").stdout == "Opaque")
        #expect(
            w.kubectl("get", "secret", "vault-tls", "-o", "jsonpath={.data}").stdout.hasPrefix("{\"ca.crt\":"))
        // No KMS: Vault stays sealed and uninitialised; the pod never turns Ready.
        let st = w.kubectl("exec", "vault-0", "-c", "vault", "--", "vault", "status", "-format=json", caFlag)
        #expect(st.code == 2)
        #expect(st.stdout.contains("\"initialized\": false"))
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-0", "--timeout=200ms").code == 1)
        let peers = w.kubectl("exec", "vault-0", "-c", "vault", "--", "vault", "operator", "raft", "list-peers", "-format=json", caFlag)
        #expect(peers.code == 2)
        #expect(peers.stderr.hasPrefix("Error reading the raft cluster configuration: Error making API request."))
        // Deleting the CR removes what the operator made.
        #expect(w.kubectl("delete", "vault", "vault").stdout == "vault.vault.banzaicloud.com \"vault\" deleted\n")
        #expect(w.kubectl("get", "pods", "-l", "vault_cr=vault", "-o", "name").stdout == "")
        // …but not the claims of its volumeClaimTemplates (retention policy Retain).
        #expect(w.kubectl("get", "pvc", "-o", "name").stdout == "persistentvolumeclaim/vault-raft-vault-0\n")
        _ = name
    }

    @Test func crashloopingVaultPodStaysSealed() throws {
        let (w, name) = try clusterWorld("r")
        defer { w.cleanup() }
        let kms = "fwkms-\(w.id)"
        w.onCleanup { _ = TestWorld.exec("/usr/bin/env", ["docker", "rm", "-f", kms], env: ProcessInfo.processInfo.environment) }
        #expect(
            w.docker(
                "run", "-d", "--name", kms, "--network", w.env["KIND_EXPERIMENTAL_DOCKER_NETWORK"]!, "-e", "VAULT_DEV_ROOT_TOKEN_ID=t",
                "vault:1.6.2"
            ).code == 0)
        _ = w.helm("upgrade", "--install", "vault-operator", operatorChart, "--wait")
        w.env["FAKEWORLD_FAULTS"] = "pod-crashloop:\(name)/vault-0"
        _ = w.kubectl(
            "apply", "-f", "-", stdin: vaultCR(name: "vault", kms: kms, token: "t", leaderAddress: "self", serviceType: "ClusterIP"))
        let exec = w.kubectl("exec", "vault-0", "-c", "vault", "--", "vault", "status", caFlag)
        #expect(exec.code == 1)
        #expect(exec.stderr == "error: unable to upgrade connection: container not found (\"vault\")\n")
        #expect(w.kubectl("get", "pod", "vault-0").stdout.contains("CrashLoopBackOff"))
        // The fault lifted: the pod starts, initialises against the KMS and unseals.
        w.env["FAKEWORLD_FAULTS"] = nil
        #expect(w.kubectl("wait", "--for=condition=ready", "pod/vault-0", "--timeout=30s").code == 0)
        let st = w.kubectl("exec", "vault-0", "-c", "vault", "--", "vault", "status", caFlag)
        #expect(st.code == 0, "\(st)")
        #expect(st.stdout.contains("HA Mode"))
        // A token that does not match the KMS container's: a new CR stays sealed.
        _ = w.kubectl(
            "apply", "-f", "-", stdin: vaultCR(name: "other", kms: kms, token: "wrong", leaderAddress: "self", serviceType: "ClusterIP"))
        #expect(w.kubectl("exec", "other-0", "-c", "vault", "--", "vault", "status", "-format=json", caFlag).code == 2)
        // A secret volume that does not exist yet keeps the pod in ContainerCreating.
        let withVolume =
            vaultCR(name: "vol", kms: kms, token: "t", leaderAddress: "self", serviceType: "ClusterIP")
            + "  volumes:\n    - name: vault-primary-tls\n      secret:\n        secretName: vault-primary-tls\n"
        _ = w.kubectl("apply", "-f", "-", stdin: withVolume)
        #expect(
            w.kubectl("get", "pod", "vol-0", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.reason}").stdout
                == "ContainerCreating")
        #expect(
            w.kubectl("exec", "vol-0", "-c", "vault", "--", "vault", "status", caFlag).stderr
                == "error: unable to upgrade connection: container not found (\"vault\")\n")
        _ = w.kubectl("create", "secret", "generic", "vault-primary-tls", "--from-literal=ca.crt=x")
        #expect(w.kubectl("get", "pod", "vol-0", "-o", "jsonpath={.status.phase}").stdout == "Running")
    }
}
