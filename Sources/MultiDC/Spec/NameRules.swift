/// The name rules kind, Kubernetes, Docker and Helm apply, as messages for the spec decoder.
package enum NameRules {
    /// A cluster name's longest form: kind names the node container (and its host name)
    /// `<name>-control-plane`, which must stay a 63-character DNS label, so 63 - 14 = 49.
    /// (kind itself only warns above 50 characters; 50 would already break the host name.)
    package static let maxClusterNameLength = 49

    /// True for a DNS-1123 label: lower-case letters, digits and '-', starting and ending with
    /// a letter or digit, at most 63 characters.
    package static func isDNSLabel(_ s: String, maxLength: Int = 63) -> Bool {
        guard !s.isEmpty, s.count <= maxLength else { return false }
        let ok = s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
        return ok && s.first != "-" && s.last != "-"
    }

    /// True for a DNS-1123 subdomain: dot-separated labels, at most 253 characters.
    package static func isDNSSubdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNSLabel(String($0)) }
    }

    /// Docker's rule for container and network names: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
    package static func isDockerName(_ s: String) -> Bool {
        guard let first = s.first, first.isASCII, first.isLetter || first.isNumber else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    /// A POSIX environment variable name.
    package static func isEnvName(_ s: String) -> Bool {
        guard let first = s.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    static let labelRule = "lower-case letters, digits and '-', starting and ending with a letter or digit"

    /// The problem with a name that must be a DNS-1123 label, or nil.
    static func labelProblem(_ name: String, what: String, maxLength: Int = 63) -> String? {
        if name.count > maxLength {
            return "\(what) '\(name)' is \(name.count) characters long; the limit is \(maxLength)"
        }
        if !isDNSLabel(name, maxLength: maxLength) {
            return "invalid \(what) '\(name)': use \(labelRule)"
        }
        return nil
    }

    /// The problem with a cluster name, or nil.
    static func clusterNameProblem(_ name: String) -> String? {
        if name.count > maxClusterNameLength, isDNSLabel(name, maxLength: 253) {
            return
                "cluster name '\(name)' is \(name.count) characters long; at most \(maxClusterNameLength) keep the node name '\(name)-control-plane' a valid 63-character host name"
        }
        return labelProblem(name, what: "cluster name", maxLength: 253)
    }
}

extension NameRules {
    /// True for characters that break or hide a line: C0 and C1 controls (tab, newline, CR,
    /// escape, NEL, …), DEL and the Unicode line and paragraph separators (YAML line breaks too).
    package static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }

    /// A kubeconfig context name: any text without control characters or line breaks (kubectl
    /// takes the name as one argument and prints it on one line); nil when fine.
    package static func contextProblem(_ s: String) -> String? {
        guard s.unicodeScalars.contains(where: isControl) else { return nil }
        return "invalid context '\(escaped(s))': a kubeconfig context name cannot hold control characters or line breaks"
    }

    /// The text with control characters and line breaks written as escapes (`\n`, `\t`,
    /// `\u{1B}`) and backslashes doubled: safe on one line of a message or a YAML comment.
    package static func escaped(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { isControl($0) || $0 == "\\" }) else { return s }
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar): out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Kubernetes label rules, for the node labels passed to kind (docs/tools.md#kind-config, Labels).
extension NameRules {
    /// `[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, at most 63 characters: a label key's name part
    /// and a non-empty label value (kubernetes/apimachinery@eed236ce
    /// `pkg/api/validate/content/kube.go`, `labelKeyFmt`, `labelValueFmt`).
    static func isLabelName(_ s: String) -> Bool {
        func alnum(_ c: UInt8) -> Bool { (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
        let bytes = Array(s.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63, alnum(first), alnum(last) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }

    static let labelNameRule =
        "alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric character, at most 63 characters"

    /// The problem with a label key (`[prefix/]name`, the prefix a DNS-1123 subdomain), or nil
    /// (apimachinery `IsLabelKey`).
    static func labelKeyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else {
            return "invalid label key '\(key)': write [prefix/]name with one '/', the name \(labelNameRule)"
        }
        if parts.count == 2, !isDNSSubdomain(parts[0]) {
            return "invalid label key '\(key)': its prefix '\(parts[0])' must be a DNS-1123 subdomain (\(labelRule), dot-separated)"
        }
        guard isLabelName(parts[parts.count - 1]) else {
            return "invalid label key '\(key)': its name part must be \(labelNameRule)"
        }
        return nil
    }

    /// The problem with a label value (empty, or a label name), or nil (apimachinery `IsLabelValue`).
    static func labelValueProblem(_ value: String, key: String) -> String? {
        value.isEmpty || isLabelName(value)
            ? nil : "invalid value '\(value)' of label '\(key)': a label value is empty or \(labelNameRule)"
    }

    /// Keys in the `kubernetes.io` and `k8s.io` namespaces the kubelet sets on its own node.
    static let kubeletLabels = [
        "beta.kubernetes.io/arch", "beta.kubernetes.io/instance-type", "beta.kubernetes.io/os",
        "failure-domain.beta.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone", "kubernetes.io/arch",
        "kubernetes.io/hostname", "kubernetes.io/os", "node.kubernetes.io/instance-type", "topology.kubernetes.io/region",
        "topology.kubernetes.io/zone",
    ]
    static let kubeletLabelNamespaces = ["kubelet.kubernetes.io", "node.kubernetes.io"]

    /// The kubelet refuses to start with a `--node-labels` key in the `kubernetes.io` or `k8s.io`
    /// namespace other than its own (kubernetes `cmd/kubelet/app/options/options.go`
    /// `ValidateKubeletFlags`, `pkg/kubelet/apis/well_known_labels.go` `IsKubeletLabel`).
    static func kubeletLabelProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let namespace = String(parts[0])
        let restricted = ["kubernetes.io", "k8s.io"].contains { namespace == $0 || namespace.hasSuffix("." + $0) }
        guard restricted, !kubeletLabels.contains(key),
            !kubeletLabelNamespaces.contains(where: { namespace == $0 || namespace.hasSuffix("." + $0) })
        else { return nil }
        return
            "label '\(key)' is in the \(namespace) namespace: the kubelet refuses it in --node-labels and the node never joins (allowed there are the prefixes \(kubeletLabelNamespaces.joined(separator: ", ")) and \(kubeletLabels.joined(separator: ", ")))"
    }
}
