import Foundation

/// The MetalLB install manifests, built in: the world has no network access, so the well-known
/// raw.githubusercontent.com URLs resolve to these object sets (same kinds, names and order as the
/// upstream files, trimmed of fields the simulation does not read).
enum BuiltinManifests {
    static func objects(url: String) -> [JSON]? {
        let prefix = "https://raw.githubusercontent.com/metallb/metallb/"
        guard url.hasPrefix(prefix) else { return nil }
        let rest = url.dropFirst(prefix.count)
        let parts = rest.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let version = MetalLBVersion(parts[0]) else { return nil }
        switch (parts[1], version.usesCRDs) {
        case ("manifests/namespace.yaml", false): return [namespace(version)]
        case ("manifests/metallb.yaml", false): return legacy(version)
        case ("config/manifests/metallb-native.yaml", true): return native(version)
        default: return nil
        }
    }

    static func namespace(_ v: MetalLBVersion) -> JSON {
        var labels: [String: JSON] = ["app": "metallb"]
        if v.usesCRDs {
            labels = [
                "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/audit": "privileged",
                "pod-security.kubernetes.io/warn": "privileged",
            ]
        }
        return ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "metallb-system", "labels": .object(labels)]]
    }

    static func meta(_ name: String, namespaced: Bool = true) -> JSON {
        var m: JSON = ["name": .string(name), "labels": ["app": "metallb"]]
        if namespaced { m["namespace"] = "metallb-system" }
        return m
    }

    static func workload(kind: String, name: String, version: MetalLBVersion, memberlist: Bool) -> JSON {
        var container: JSON = [
            "name": .string(name), "image": .string("quay.io/metallb/\(name):\(version.text)"),
            "args": ["--port=7472", "--log-level=info"],
        ]
        if version.minor < 10 {
            // [SRC metallb manifests/metallb.yaml v0.9.3, v0.9.6] Docker Hub images, pulled Always;
            // from v0.10 on quay.io and no policy (a version tag: IfNotPresent by defaulting).
            container["image"] = .string("metallb/\(name):\(version.text)")
            container["imagePullPolicy"] = "Always"
        } else if version.text == "v0.10.0" {
            // [SRC metallb manifests/metallb.yaml v0.10.0] the release's manifests name the `main` tag.
            container["image"] = .string("quay.io/metallb/\(name):main")
        }
        if name == "speaker" {
            var env: [JSON] = [["name": "METALLB_NODE_NAME", "valueFrom": ["fieldRef": ["fieldPath": "spec.nodeName"]]]]
            if memberlist {
                env.append(["name": "METALLB_ML_SECRET_KEY", "valueFrom": ["secretKeyRef": ["name": "memberlist", "key": "secretkey"]]])
            }
            container["env"] = .array(env)
        }
        if name == "controller" && version.usesCRDs {
            container["ports"] = [["containerPort": 9443, "name": "webhook-server", "protocol": "TCP"]]
        }
        var spec: JSON = [
            "selector": ["matchLabels": ["app": "metallb", "component": .string(name)]],
            "template": [
                "metadata": ["labels": ["app": "metallb", "component": .string(name)]],
                "spec": ["serviceAccountName": .string(name), "containers": [container]],
            ],
        ]
        if kind == "Deployment" { spec["revisionHistoryLimit"] = 3 }
        var m = meta(name)
        m["labels"] = ["app": "metallb", "component": .string(name)]
        return ["apiVersion": "apps/v1", "kind": .string(kind), "metadata": m, "spec": spec]
    }

    static func rbac(_ v: MetalLBVersion) -> [JSON] {
        let rbacGroup = "rbac.authorization.k8s.io/v1"
        var out: [JSON] = []
        for sa in ["controller", "speaker"] {
            out.append(["apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(sa)])
        }
        for cr in ["controller", "speaker"] {
            out.append([
                "apiVersion": .string(rbacGroup), "kind": "ClusterRole", "metadata": meta("metallb-system:\(cr)", namespaced: false),
                "rules": [["apiGroups": [""], "resources": ["services"], "verbs": ["get", "list", "watch"]]],
            ])
        }
        let roles = v.usesCRDs ? ["controller", "pod-lister"] : ["config-watcher", "pod-lister"]
        for r in roles {
            out.append([
                "apiVersion": .string(rbacGroup), "kind": "Role", "metadata": meta(r),
                "rules": [["apiGroups": [""], "resources": ["configmaps", "pods"], "verbs": ["get", "list", "watch"]]],
            ])
        }
        for cr in ["controller", "speaker"] {
            out.append([
                "apiVersion": .string(rbacGroup), "kind": "ClusterRoleBinding", "metadata": meta("metallb-system:\(cr)", namespaced: false),
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string("metallb-system:\(cr)")],
                "subjects": [["kind": "ServiceAccount", "name": .string(cr), "namespace": "metallb-system"]],
            ])
        }
        for r in roles {
            out.append([
                "apiVersion": .string(rbacGroup), "kind": "RoleBinding", "metadata": meta(r),
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string(r)],
                "subjects": [
                    [
                        "kind": "ServiceAccount", "name": .string(r == "pod-lister" ? "speaker" : "controller"),
                        "namespace": "metallb-system",
                    ]
                ],
            ])
        }
        return out
    }

    /// metallb.yaml of v0.9.x–v0.12.x (the namespace comes from namespace.yaml).
    static func legacy(_ v: MetalLBVersion) -> [JSON] {
        var out: [JSON] = []
        for psp in ["controller", "speaker"] where v.minor < 12 || true {
            out.append([
                "apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy", "metadata": meta(psp, namespaced: false),
                "spec": [
                    "privileged": .bool(psp == "speaker"), "hostNetwork": .bool(psp == "speaker"),
                    "runAsUser": ["rule": "RunAsAny"], "seLinux": ["rule": "RunAsAny"],
                    "fsGroup": ["rule": "RunAsAny"], "supplementalGroups": ["rule": "RunAsAny"],
                ],
            ])
        }
        out += rbac(v)
        out.append(workload(kind: "DaemonSet", name: "speaker", version: v, memberlist: true))
        out.append(workload(kind: "Deployment", name: "controller", version: v, memberlist: false))
        return out
    }

    static func crd(_ kind: String, plural: String, versions: [String]) -> JSON {
        [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(plural).metallb.io"), "annotations": ["controller-gen.kubebuilder.io/version": "v0.11.1"]],
            "spec": [
                "group": "metallb.io", "scope": "Namespaced",
                "names": [
                    "kind": .string(kind), "listKind": .string("\(kind)List"), "plural": .string(plural),
                    "singular": .string(kind.lowercased()),
                ],
                "versions": .array(
                    versions.enumerated().map { i, v in
                        [
                            "name": .string(v), "served": true, "storage": .bool(i == versions.count - 1),
                            "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
                            "subresources": ["status": .object([:])],
                        ]
                    }),
            ],
        ]
    }

    /// metallb-native.yaml of v0.13+ (CRDs, a validating webhook, no ConfigMap support).
    static func native(_ v: MetalLBVersion) -> [JSON] {
        var out: [JSON] = [namespace(v)]
        if v.minor == 13 { out.append(crd("AddressPool", plural: "addresspools", versions: ["v1alpha1", "v1beta1"])) }
        out.append(crd("BFDProfile", plural: "bfdprofiles", versions: ["v1beta1"]))
        out.append(crd("BGPAdvertisement", plural: "bgpadvertisements", versions: ["v1beta1"]))
        out.append(crd("BGPPeer", plural: "bgppeers", versions: ["v1beta1", "v1beta2"]))
        out.append(crd("Community", plural: "communities", versions: ["v1beta1"]))
        out.append(crd("IPAddressPool", plural: "ipaddresspools", versions: ["v1beta1"]))
        out.append(crd("L2Advertisement", plural: "l2advertisements", versions: ["v1beta1"]))
        if v.minor >= 14 { out.append(crd("ServiceL2Status", plural: "servicel2statuses", versions: ["v1beta1"])) }
        out += rbac(v)
        out.append([
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("metallb-excludel2"),
            "data": [
                "excludel2.yaml":
                    "announcedInterfacesToExclude: [\"^docker.*\", \"^cbr.*\", \"^dummy.*\", \"^virbr.*\", \"^lxcbr.*\", \"^veth.*\", \"^lo$\", \"^cali.*\", \"^tunl.*\", \"^flannel.*\", \"^kube-ipvs.*\", \"^cni.*\", \"^nodelocaldns.*\"]\n"
            ],
        ])
        out.append(["apiVersion": "v1", "kind": "Secret", "metadata": meta("webhook-server-cert")])
        out.append([
            "apiVersion": "v1", "kind": "Service", "metadata": meta("webhook-service"),
            "spec": ["ports": [["port": 443, "targetPort": 9443]], "selector": ["component": "controller"]],
        ])
        out.append(workload(kind: "Deployment", name: "controller", version: v, memberlist: false))
        out.append(workload(kind: "DaemonSet", name: "speaker", version: v, memberlist: false))
        var webhooks: [JSON] = []
        for (kind, path) in [("ipaddresspool", "ipaddresspool"), ("l2advertisement", "l2advertisement"), ("bgppeer", "bgppeer")] {
            webhooks.append([
                "name": .string("\(kind)validationwebhook.metallb.io"),
                "admissionReviewVersions": ["v1"], "failurePolicy": "Fail", "sideEffects": "None",
                "clientConfig": [
                    "service": [
                        "name": "webhook-service", "namespace": "metallb-system",
                        "path": .string("/validate-metallb-io-v1beta1-\(path)"),
                    ]
                ],
                "rules": [
                    [
                        "apiGroups": ["metallb.io"], "apiVersions": ["v1beta1"], "operations": ["CREATE", "UPDATE"],
                        "resources": .array([.string("\(kind)s")]),
                    ]
                ],
            ])
        }
        out.append([
            "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
            "metadata": ["name": "metallb-webhook-configuration", "labels": ["app": "metallb"]], "webhooks": .array(webhooks),
        ])
        return out
    }
}

/// A MetalLB release version (v0.MINOR.PATCH).
struct MetalLBVersion: Equatable {
    var minor: Int
    var patch: Int
    var text: String
    var usesCRDs: Bool { minor >= 13 }

    init?(_ text: String) {
        let parts = text.drop { $0 == "v" }.split(separator: ".").map { Int($0) }
        guard parts.count == 3, parts[0] == 0, let minor = parts[1], let patch = parts[2], minor >= 9 else { return nil }
        self.minor = minor
        self.patch = patch
        self.text = text
    }
}
