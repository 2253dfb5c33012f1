import YAML

extension Topology {
    /// `spec.images`: images fetched once. The host's docker holds each image (pulled once when
    /// it lacks one), and `kind load docker-image` puts them on every node of every cluster before
    /// anything runs there, so no node pulls them from a registry (docs/tools.md#kind-load).
    package struct Images: Sendable, Hashable {
        /// `preload`: images loaded besides the derived ones, as written.
        package var preload: [ImageReference] = []
        /// `derived` (default true): also load the images multidc knows the topology runs
        /// (`Topology.derivedImages`).
        package var derived = true
        /// `pull`: what to do when the host lacks an image.
        package var pull: Pull = .missing

        package init(preload: [ImageReference] = [], derived: Bool = true, pull: Pull = .missing) {
            self.preload = preload
            self.derived = derived
            self.pull = pull
        }

        package enum Pull: String, Sendable, Hashable, CaseIterable {
            /// `docker pull` the images the host lacks (once, before any cluster loads them).
            case missing
            /// Never pull: an image the host lacks is an error naming the `docker pull` to run.
            case never
        }
    }

    /// The images a cluster runs that multidc can name from the spec, with where each comes
    /// from: MetalLB's (from its release manifests, when the spec does not name its own), the
    /// operator's (when `operator.values` sets `image.repository` and `image.tag`), and each
    /// rendered Vault CR's `image` and `bankVaultsImage`. Images pulled with policy `Always`
    /// are left out (`alwaysPulled`): loading them saves nothing.
    package func derivedImages(vaultCRs: [Node]) -> [(image: ImageReference, source: String)] {
        var found: [(ImageReference, String)] = []
        if case .metallb(let metallb) = loadBalancer, metallb.manifests.isEmpty {
            for image in MetalLBImages.images(version: metallb.version) where !image.alwaysPulled {
                if let reference = try? ImageReference.parse(image.reference) { found.append((reference, "MetalLB \(metallb.version)")) }
            }
        }
        if let repository = vaultOperator.values[path: "image", "repository"]?.scalar,
            let tag = vaultOperator.values[path: "image", "tag"]?.scalar,
            let reference = try? ImageReference.parse("\(repository):\(tag)")
        {
            found.append((reference, "operator.values image"))
        }
        for cr in vaultCRs {
            let name = cr[path: "metadata", "name"]?.scalar ?? "?"
            for field in ["image", "bankVaultsImage"] {
                if let text = cr[path: "spec", field]?.scalar, let reference = try? ImageReference.parse(text) {
                    found.append((reference, "Vault CR \(name) spec.\(field)"))
                }
            }
        }
        return found
    }
}

/// The images in a MetalLB release's manifests, and the pull policy they carry
/// (metallb/metallb manifests/metallb.yaml at v0.9.3 … v0.12.1, config/manifests/metallb-native.yaml
/// from v0.13.0; docs/tools.md#metallb-images).
package enum MetalLBImages {
    package struct Image: Sendable, Hashable {
        package var reference: String
        /// `imagePullPolicy: Always` in the manifest: the kubelet pulls it at every start.
        package var alwaysPulled: Bool
    }

    /// The tag of the release's images (the controller's tag is how an installed release is told).
    package static func tag(version: String) -> String { version == "v0.10.0" ? "main" : version }

    package static func images(version: String) -> [Image] {
        let metallb = Topology.MetalLB(version: version)
        // Before v0.10.0 the images lived on Docker Hub and the manifests pull them Always;
        // v0.10.0's manifests name the `main` tag (a release slip, fixed in v0.10.1).
        let old = metallb.isBefore(major: 0, minor: 10)
        return ["controller", "speaker"].map { name in
            if old { return Image(reference: "metallb/\(name):\(version)", alwaysPulled: true) }
            return Image(reference: "quay.io/metallb/\(name):\(tag(version: version))", alwaysPulled: false)
        }
    }
}

/// A container image reference, checked with the grammar of distribution/reference (v0.6.0
/// regexp.go, normalize.go): `[domain/]path[:tag][@digest]`, lower-case path components. Two
/// spellings of one image (`vault:1.6.2`, `docker.io/library/vault:1.6.2`) compare equal.
package struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// As written in the spec (what multidc passes to docker and kind).
    package var written: String
    /// Fully qualified: `docker.io/library/` added where docker adds it, `:latest` when neither a
    /// tag nor a digest is given.
    package var normalized: String
    /// The tag (nil when only a digest is given).
    package var tag: String?

    package var description: String { written }

    package static func == (a: ImageReference, b: ImageReference) -> Bool { a.normalized == b.normalized }
    package func hash(into hasher: inout Hasher) { hasher.combine(normalized) }

    package struct Problem: Error, Sendable, CustomStringConvertible {
        package var description: String
    }

    package static func parse(_ text: String) throws(Problem) -> ImageReference {
        guard !text.isEmpty else { throw Problem(description: "an image reference is empty") }
        guard text.count <= 255 + 129 + 72 else { throw Problem(description: "image reference '\(text)' is too long") }
        var rest = Substring(text)
        var digest: Substring?
        if let at = rest.firstIndex(of: "@") {
            digest = rest[rest.index(after: at)...]
            rest = rest[..<at]
            guard let d = digest, isDigest(d) else {
                throw Problem(description: "invalid digest in image reference '\(text)': write it as sha256: and 64 hex digits")
            }
        }
        var tag: Substring?
        if let colon = rest.lastIndex(of: ":"), !rest[rest.index(after: colon)...].contains("/") {
            tag = rest[rest.index(after: colon)...]
            rest = rest[..<colon]
            guard let t = tag, isTag(t) else {
                throw Problem(
                    description:
                        "invalid tag in image reference '\(text)': a tag is 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'"
                )
            }
        }
        let components = rest.split(separator: "/", omittingEmptySubsequences: false)
        var domain: Substring?
        var path = components[...]
        if components.count > 1, let first = components.first, first.contains(".") || first.contains(":") || first == "localhost" {
            guard isDomain(first) else { throw Problem(description: "invalid registry host '\(first)' in image reference '\(text)'") }
            domain = first
            path = components.dropFirst()
        }
        guard rest.count <= 255 else { throw Problem(description: "the repository name of '\(text)' is longer than 255 characters") }
        for component in path {
            if component.contains(where: { $0.isUppercase }) {
                throw Problem(description: "invalid image reference '\(text)': repository name must be lowercase")
            }
            guard isPathComponent(component) else {
                throw Problem(
                    description:
                        "invalid image reference '\(text)': '\(component)' is not a repository path component (lower-case letters and digits, separated by '.', '_', '__' or '-')"
                )
            }
        }
        var repository = path.joined(separator: "/")
        let registry = domain.map(String.init) ?? "docker.io"
        if registry == "docker.io" && path.count == 1 { repository = "library/" + repository }
        var normalized = "\(registry)/\(repository)"
        if let tag { normalized += ":\(tag)" } else if digest == nil { normalized += ":latest" }
        if let digest { normalized += "@\(digest)" }
        return ImageReference(written: text, normalized: normalized, tag: tag.map(String.init) ?? (digest == nil ? "latest" : nil))
    }

    private static func isAlnumLower(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }

    /// path-component := alpha-numeric (separator alpha-numeric)*; separator := [_.] | __ | -+
    private static func isPathComponent(_ s: Substring) -> Bool {
        guard let first = s.first, let last = s.last, isAlnumLower(first), isAlnumLower(last) else { return false }
        var separator = ""
        for c in s {
            if isAlnumLower(c) {
                guard separator.isEmpty || separator == "." || separator == "_" || separator == "__" || separator.allSatisfy({ $0 == "-" })
                else { return false }
                separator = ""
            } else if c == "." || c == "_" || c == "-" {
                separator.append(c)
            } else {
                return false
            }
        }
        return true
    }

    /// tag := [\w][\w.-]{0,127}
    private static func isTag(_ s: Substring) -> Bool {
        func word(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
        guard let first = s.first, word(first), s.count <= 128 else { return false }
        return s.allSatisfy { word($0) || $0 == "." || $0 == "-" }
    }

    /// digest := algorithm ":" hex (32 or more hex digits)
    private static func isDigest(_ s: Substring) -> Bool {
        let parts = s.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let a = parts[0].first, a.isASCII, a.isLetter else { return false }
        return parts[1].count >= 32 && parts[1].allSatisfy(\.isHexDigit)
    }

    /// domain := host [":" port]; host := domain-component ("." domain-component)* | [IPv6]
    private static func isDomain(_ s: Substring) -> Bool {
        var host = s
        if let colon = s.lastIndex(of: ":"), !s.hasPrefix("[") || s[..<colon].hasSuffix("]") {
            let port = s[s.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy(\.isNumber) else { return false }
            host = s[..<colon]
        }
        if host.hasPrefix("[") { return host.hasSuffix("]") && host.count > 2 }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            guard let f = part.first, let l = part.last, f.isASCII, l.isASCII, f.isLetter || f.isNumber, l.isLetter || l.isNumber else {
                return false
            }
            return part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

extension TopologyDecoder {
    /// `spec.images` (provider kind only: `kind load` writes into kind's nodes).
    mutating func decodeImages(_ spec: SpecReader.Fields, provider: Topology.Provider) -> Topology.Images? {
        guard let node = spec.value("images") else { return nil }
        guard provider == .kind else {
            reader.error(
                "'images' is for provider kind (kind load docker-image writes into kind's nodes); clusters of provider existing pull from their registries",
                at: spec.keyNode("images")!.mark)
            return nil
        }
        guard let f = reader.fields(node, path: "spec.images", allowed: ["preload", "derived", "pull"]) else { return nil }
        var images = Topology.Images()
        images.derived = reader.bool(f, "derived") ?? true
        if let text = reader.string(f, "pull") {
            if let pull = Topology.Images.Pull(rawValue: text) {
                images.pull = pull
            } else {
                let hint =
                    EditDistance.suggestion(for: text, among: Topology.Images.Pull.allCases.map(\.rawValue))
                    .map { "; did you mean '\($0)'?" } ?? "; use missing (docker pull what the host lacks) or never"
                reader.error("unknown pull '\(text)'\(hint)", at: f.value("pull")!.mark)
            }
        }
        var seen: [ImageReference: Node] = [:]
        for (text, entry) in reader.strings(f, "preload") {
            do {
                let reference = try ImageReference.parse(text)
                if let earlier = seen[reference] {
                    reader.error(
                        "image '\(text)' is listed twice in spec.images.preload (first at line \(earlier.mark.line)); remove one",
                        at: entry.mark)
                    continue
                }
                seen[reference] = entry
                images.preload.append(reference)
            } catch {
                reader.error(error.description, at: entry.mark)
            }
        }
        return images
    }
}
