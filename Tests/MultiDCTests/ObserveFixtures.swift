// A converged cluster as one multi-kind `kubectl get … -A -o json` List, built from the shapes
// docs/tools.md documents (#kubectl-get List wrapper, #metallb-crs MetalLB objects, #bank-vaults-operator labels).

enum ObserveFixture {
    static func clusterList(pool: String = "172.18.1.128/25", lbIP: String? = "172.18.1.128", vaultReady: Bool = true) -> String {
        let ingress = lbIP.map { #"{"ingress":[{"ip":"\#($0)","ipMode":"VIP"}]}"# } ?? "{}"
        return """
            {
                "apiVersion": "v1",
                "items": [
                    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}},
                    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "metallb-system"}},
                    {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                     "metadata": {"name": "vaults.vault.banzaicloud.com"},
                     "status": {"conditions": [{"type": "NamesAccepted", "status": "True"}, {"type": "Established", "status": "True"}]}},
                    {"apiVersion": "apps/v1", "kind": "Deployment",
                     "metadata": {"name": "controller", "namespace": "metallb-system", "labels": {"app": "metallb", "component": "controller"}},
                     "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "controller", "image": "metallb/controller:v0.9.3"}]}}},
                     "status": {"readyReplicas": 1, "conditions": [{"type": "Available", "status": "True"}]}},
                    {"apiVersion": "apps/v1", "kind": "Deployment",
                     "metadata": {"name": "vault-operator", "namespace": "default", "labels": {"app.kubernetes.io/instance": "vault-operator"}},
                     "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "vault-operator", "image": "ghcr.io/banzaicloud/vault-operator:1.12.0"}]}}},
                     "status": {"readyReplicas": 1, "conditions": [{"type": "Available", "status": "True"}]}},
                    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "config", "namespace": "metallb-system",
                     "labels": {"app.kubernetes.io/managed-by": "multidc", "multidc/topology": "vault-raft"}},
                     "data": {"config": "address-pools:\\n- name: default\\n  protocol: layer2\\n  addresses:\\n  - \(pool)\\n"}},
                    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "multidc-ownership", "namespace": "default",
                     "labels": {"app.kubernetes.io/managed-by": "multidc", "multidc/topology": "vault-raft"}}, "data": {"topology": "vault-raft"}},
                    {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kube-root-ca.crt", "namespace": "default"}},
                    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "memberlist", "namespace": "metallb-system"}, "data": {"secretkey": "eHh4"}, "type": "Opaque"},
                    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "vault-primary-tls", "namespace": "default", "resourceVersion": "7", "uid": "u-1"},
                     "data": {"ca.crt": "Y2E=", "tls.crt": "Y3J0", "tls.key": "a2V5"}, "type": "kubernetes.io/tls"},
                    {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "unrelated", "namespace": "default"}, "type": "Opaque"},
                    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "vault", "namespace": "default",
                     "labels": {"app.kubernetes.io/name": "vault", "vault_cr": "vault"}},
                     "spec": {"type": "LoadBalancer", "loadBalancerIP": "172.18.1.128"}, "status": {"loadBalancer": \(ingress)}},
                    {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kubernetes", "namespace": "default"}, "spec": {"type": "ClusterIP"}},
                    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "vault-0", "namespace": "default",
                     "labels": {"app.kubernetes.io/name": "vault", "vault_cr": "vault"}},
                     "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "\(vaultReady ? "True" : "False")"}]}},
                    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "vault-operator-abc", "namespace": "default"}, "status": {"phase": "Running"}},
                    {"apiVersion": "vault.banzaicloud.com/v1alpha1", "kind": "Vault", "metadata": {"name": "vault", "namespace": "default",
                     "labels": {"app.kubernetes.io/managed-by": "multidc", "multidc/topology": "vault-raft"}, "generation": 1},
                     "spec": {"size": 1, "image": "vault:1.6.2", "config": {"storage": {"raft": {"path": "/vault/file"}}}}}
                ],
                "kind": "List",
                "metadata": {
                    "resourceVersion": ""
                }
            }

            """
    }

    static let kindNetwork = """
        [{"Name":"kind","Id":"9f9f9f","Driver":"bridge","EnableIPv6":true,
          "IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"fc00:f853:ccd:e793::/64"},{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"}]},
          "Containers":{
            "aaaaaaaaaaaa0000000000000000000000000000000000000000000000000000":{"Name":"primary-control-plane","IPv4Address":"172.18.0.2/16","IPv6Address":""},
            "bbbbbbbbbbbb0000000000000000000000000000000000000000000000000000":{"Name":"secondary-control-plane","IPv4Address":"172.18.0.3/16","IPv6Address":""},
            "cccccccccccc0000000000000000000000000000000000000000000000000000":{"Name":"tertiary-control-plane","IPv4Address":"172.18.0.4/16","IPv6Address":""},
            "dddddddddddd0000000000000000000000000000000000000000000000000000":{"Name":"central-vault","IPv4Address":"172.18.0.5/16","IPv6Address":""}},
          "Options":{"com.docker.network.bridge.enable_ip_masquerade":"true","com.docker.network.driver.mtu":"1500"},"Labels":{}}]
        """

    static func psLine(id: String, name: String, image: String, labels: String, state: String = "running") -> String {
        #"{"Command":"\"/usr/local/bin/entrypoint /sbin/init\"","CreatedAt":"2026-11-27 04:12:47 +0000 UTC","ID":"\#(id)","Image":"\#(image)","Labels":"\#(labels)","LocalVolumes":"1","Mounts":"","Names":"\#(name)","Networks":"kind","Platform":null,"Ports":"","RunningFor":"4 minutes ago","Size":"0B","State":"\#(state)","Status":"Up 4 minutes"}"#
    }

    static func ps(kmsState: String = "running") -> String {
        [
            psLine(
                id: "aaaaaaaaaaaa0000000000000000000000000000000000000000000000000000", name: "primary-control-plane",
                image: "kindest/node:v1.19.1",
                labels: "io.x-k8s.kind.cluster=primary,io.x-k8s.kind.role=control-plane"),
            psLine(
                id: "bbbbbbbbbbbb0000000000000000000000000000000000000000000000000000", name: "secondary-control-plane",
                image: "kindest/node:v1.19.1",
                labels: "io.x-k8s.kind.role=control-plane,io.x-k8s.kind.cluster=secondary"),
            psLine(
                id: "cccccccccccc0000000000000000000000000000000000000000000000000000", name: "tertiary-control-plane",
                image: "kindest/node:v1.19.1",
                labels: "io.x-k8s.kind.cluster=tertiary,io.x-k8s.kind.role=control-plane"),
            psLine(
                id: "dddddddddddd0000000000000000000000000000000000000000000000000000", name: "central-vault", image: "vault:1.6.2",
                labels: "app.kubernetes.io/managed-by=multidc,multidc/topology=vault-raft", state: kmsState),
            psLine(
                id: "eeeeeeeeeeee0000000000000000000000000000000000000000000000000000", name: "foreign", image: "nginx", labels: "",
                state: "exited"),
        ].joined(separator: "\n") + "\n"
    }

    static let helmList = """
        [{"name":"vault-operator","namespace":"default","revision":"1","updated":"2026-11-27 04:20:00.1 +0000 UTC","status":"deployed","chart":"vault-operator-1.12.0","app_version":"1.12.0"}]

        """
}
