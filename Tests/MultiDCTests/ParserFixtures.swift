// Real tool outputs as docs/tools.md records them ([RUN] and [SRC]
// entries), plus objects built from the shapes it documents (marked as such).

enum Fixture {
    // docs/tools.md#docker-network-inspect [RUN] docker 28 client, 20.10 daemon: kind-style network, IPv6 entry without Gateway.
    static let networkInspectDemo = """
        [
            {
                "Name": "demo-net",
                "Id": "603aa521bd5cce0afee1ba2697e94fe85620ab8be8793e9aa96c1cc72842290b",
                "Created": "2026-11-27T04:12:46.342268101Z",
                "Scope": "local",
                "Driver": "bridge",
                "EnableIPv6": true,
                "IPAM": {
                    "Driver": "default",
                    "Options": {},
                    "Config": [
                        {
                            "Subnet": "172.19.0.0/16",
                            "Gateway": "172.19.0.1"
                        },
                        {
                            "Subnet": "fc00:aaaa:bbbb:cccc::/64"
                        }
                    ]
                },
                "Internal": false,
                "Attachable": false,
                "Ingress": false,
                "ConfigFrom": {
                    "Network": ""
                },
                "ConfigOnly": false,
                "Containers": {},
                "Options": {
                    "com.docker.network.bridge.enable_ip_masquerade": "true",
                    "com.docker.network.driver.mtu": "1500"
                },
                "Labels": {}
            }
        ]

        """

    // docs/tools.md#docker-network-inspect: metal3#660's IPAM config (IPv6 first) and the [RUN] Containers entry, inside the
    // network object above (built from the reference's fragments).
    static let networkInspectIPv6First = """
        [{"Name":"kind","Id":"1f2e","Driver":"bridge","EnableIPv6":true,
          "IPAM":{"Driver":"default","Options":{},"Config":[{"Subnet":"fc00:f853:ccd:e793::/64"},{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"}]},
          "Containers":{"6b0e2a4f301cc3991c0afa3aa0453a6adb3881f8e8c21c2acd279e8206733733":{"Name":"demo-c1","EndpointID":"a177410e...","MacAddress":"02:42:ac:13:00:02","IPv4Address":"172.19.0.2/16","IPv6Address":"fc00:aaaa:bbbb:cccc::2/64"}},
          "Options":{},"Labels":{"multidc/topology":"vault-raft"}}]
        """

    // docs/tools.md#docker-network-inspect Kuadrant#418: a newer daemon's IPv6 entry with a Gateway (built from the fragment).
    static let networkInspectIPv6Gateway = """
        [{"Name":"kind","Id":"abcd","Driver":"bridge","EnableIPv6":true,
          "IPAM":{"Driver":"default","Options":null,"Config":[{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"},{"Subnet":"fc00:f853:ccd:e793::/64","Gateway":"fc00:f853:ccd:e793::1"}]},
          "Containers":{},"Options":{},"Labels":{}}]
        """

    // docs/tools.md#docker-network-inspect IPv4-only user network ([RUN], the old `kind` network).
    static let networkInspectIPv4Only = """
        [{"Name":"kind","Id":"9f9f","Driver":"bridge","EnableIPv6":false,
          "IPAM": {"Driver": "default", "Options": {}, "Config": [{"Subnet": "172.18.0.0/16", "Gateway": "172.18.0.1"}]},
          "Containers":{},"Options":{},"Labels":{}}]
        """

    // docs/tools.md#docker-network-inspect [RUN] client 28 / docs/tools.md#docker-client-versions [SRC] client 20.10: missing network.
    static let networkMissing28 = "Error response from daemon: network nosuchnet-demo not found\n"
    static let networkMissing2010 = "Error: No such network: nosuchnet-demo\n"

    // docs/tools.md#docker-ps [RUN] client 28.2.2: JSON Lines, Platform null.
    static let ps28 = """
        {"Command":"\\"sleep 600\\"","CreatedAt":"2026-11-27 04:12:47 +0000 UTC","ID":"6b0e2a4f301c","Image":"local/busybox:1","Labels":"io.x-k8s.kind.cluster=demo,io.x-k8s.kind.role=control-plane","LocalVolumes":"0","Mounts":"","Names":"demo-c1","Networks":"demo-net","Platform":null,"Ports":"","RunningFor":"4 seconds ago","Size":"0B (virtual 1.98MB)","State":"running","Status":"Up 2 seconds"}
        {"Command":"\\"sh -c 'exit 0'\\"","CreatedAt":"2026-11-27 04:13:13 +0000 UTC","ID":"2d0a37c99083","Image":"local/busybox:1","Labels":"","LocalVolumes":"0","Mounts":"","Names":"demo-e","Networks":"demo-net","Platform":null,"Ports":"","RunningFor":"2 seconds ago","Size":"0B (virtual 1.98MB)","State":"exited","Status":"Exited (0) Less than a second ago"}

        """

    // docs/tools.md#docker-ps [SRC] client 20.10: no Platform key, labels in random order (built from the field list).
    static let ps2010 = """
        {"Command":"\\"sleep 600\\"","CreatedAt":"2026-11-27 04:12:47 +0000 UTC","ID":"6b0e2a4f301c","Image":"local/busybox:1","Labels":"io.x-k8s.kind.role=control-plane,io.x-k8s.kind.cluster=demo","LocalVolumes":"0","Mounts":"","Names":"demo-c1","Networks":"demo-net","Ports":"","RunningFor":"4 seconds ago","Size":"0B (virtual 1.98MB)","State":"running","Status":"Up 2 seconds"}

        """

    // docs/tools.md#kubectl-errors [RUN] kubectl 1.32, cluster down: klog lines, then the final message.
    static let kubectlRefused = """
        E1127 04:13:21.066735    8592 memcache.go:265] "Unhandled Error" err="couldn't get current server API group list: Get \\"https://127.0.0.1:1/api?timeout=32s\\": dial tcp 127.0.0.1:1: connect: connection refused"
        E1127 04:13:21.066735    8592 memcache.go:265] "Unhandled Error" err="couldn't get current server API group list: Get \\"https://127.0.0.1:1/api?timeout=32s\\": dial tcp 127.0.0.1:1: connect: connection refused"
        The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?

        """

    // docs/tools.md#kubectl-errors [RUN] apply with the cluster down.
    static let kubectlApplyRefused = """
        error: error validating "STDIN": error validating data: failed to download openapi: Get "https://127.0.0.1:1/openapi/v2?timeout=32s": dial tcp 127.0.0.1:1: connect: connection refused; if you choose to ignore these errors, turn validation off with --validate=false

        """

    // docs/tools.md#kubectl-errors [RUN] missing context.
    static let kubectlContextMissing = "Error in configuration: context was not found for specified context: kind-nope\n"

    // docs/tools.md#kubectl-get [RUN] a List of one Secret.
    static let kubectlSecretList = """
        {
            "apiVersion": "v1",
            "items": [
                {
                    "apiVersion": "v1",
                    "data": {
                        "vault-root": "cy5hYmNkZWY=",
                        "vault-unseal-0": "MDFhYmNk"
                    },
                    "kind": "Secret",
                    "metadata": {
                        "annotations": {
                            "kubectl.kubernetes.io/last-applied-configuration": "{\\"apiVersion\\":\\"v1\\",\\"data\\":{...},\\"kind\\":\\"Secret\\",\\"metadata\\":{\\"annotations\\":{},\\"name\\":\\"vault-unseal-keys\\",\\"namespace\\":\\"vault\\"},\\"type\\":\\"Opaque\\"}\\n"
                        },
                        "creationTimestamp": "2026-11-27T04:14:29Z",
                        "name": "vault-unseal-keys",
                        "namespace": "vault",
                        "resourceVersion": "102",
                        "uid": "88baaa64-67bc-4b9e-94fb-7432c3bd5e66"
                    },
                    "type": "Opaque"
                }
            ],
            "kind": "List",
            "metadata": {
                "resourceVersion": ""
            }
        }

        """

    // docs/tools.md#kubectl-get [RUN] an empty List (pretty-printed).
    static let kubectlEmptyList = """
        {
            "apiVersion": "v1",
            "items": [],
            "kind": "List",
            "metadata": {
                "resourceVersion": ""
            }
        }

        """

    // docs/tools.md#helm-list [SRC] helm list -o json (example built from the struct; revision is a string).
    static let helmList = """
        [{"name":"vault","namespace":"vault","revision":"1","updated":"2024-05-02 10:11:12.123456789 +0000 UTC","status":"deployed","chart":"vault-0.28.0","app_version":"1.16.1"}]

        """

    // docs/tools.md#helm-errors [SRC] helm with the cluster down.
    static let helmUnreachable = """
        Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:PORT/version": dial tcp 127.0.0.1:PORT: connect: connection refused

        """

    // docs/tools.md#docker-client-versions (kind's provider check, general docker knowledge): the daemon is down.
    static let dockerDaemonDown = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n"
}
