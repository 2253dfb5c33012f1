import Foundation
import YAML

/// Images fetched once (`spec.images`): the host's docker holds every image (`docker pull` once
/// when it lacks one), and `kind load docker-image` copies them into every node of a cluster
/// before MetalLB, the operator or Vault run there, so the kubelet finds them present
/// (`IfNotPresent`) instead of pulling them on every node (docs/tools.md#kind-load).
///
/// Observed through the ownership record: the `multidc/images` annotation lists what was loaded
/// (read with the record, no extra process). A node keeps its images as long as it lives, and a
/// re-created cluster has a new record.
enum ImagesResource: ClusterRule, GlobalRule {
    /// The annotation on the ownership record: the normalised references loaded, sorted, comma-separated.
    static let recordKey = "multidc/images"

    /// The images to load into a cluster (empty: `spec.images` is absent, or names none);
    /// `settings` stands in for an absent `spec.images`.
    static func images(
        of cluster: Topology.Cluster, _ loaded: LoadedTopology, settings: Topology.Images? = nil
    ) -> [ImageReference] {
        guard let spec = loaded.topology.images ?? settings else { return [] }
        return merged(spec, derived: spec.derived ? derived(of: cluster, loaded).map(\.image) : [])
    }

    /// The listed images, then the derived ones, each once (two spellings of one image are one).
    static func merged(_ spec: Topology.Images, derived: [ImageReference]) -> [ImageReference] {
        var seen: Set<ImageReference> = []
        return (spec.preload + derived).filter { seen.insert($0).inserted }
    }

    /// The wanted images a cluster's ownership record does not list as loaded.
    static func missing(_ wanted: [ImageReference], record: KubeObject?) -> [ImageReference] {
        let recorded = recordedImages(record)
        return wanted.filter { !recorded.contains($0.normalized) }
    }

    /// The images multidc can name for a cluster, with where each comes from.
    static func derived(of cluster: Topology.Cluster, _ loaded: LoadedTopology) -> [(image: ImageReference, source: String)] {
        let values = TemplateValues.for(topology: loaded.topology, cluster: cluster)
        let crs = (try? VaultResource.manifests(loaded, cluster: cluster, values: values, mode: .display)).map(VaultResource.vaults) ?? []
        return loaded.topology.derivedImages(vaultCRs: crs)
    }

    static func planApply(_ cluster: Topology.Cluster, _ plan: inout PlanBuilder) {
        let name = cluster.name
        let wanted = images(of: cluster, plan.input.loaded)
        guard !wanted.isEmpty, let inside = plan.inside[name] else { return }
        let step = Load(cluster: name, images: wanted.map(\.written), record: recordValue(wanted))
        let resource = "\(wanted.count) image\(wanted.count == 1 ? "" : "s") loaded into the nodes"
        let needs: [ActionID] = [.cluster(name), .hostImages, .ownership(name)]
        guard case .observed(let objects, _) = inside else {
            plan.add(
                PlanAction(
                    id: .images(name), change: .create, step: step, resource: resource,
                    reason: "cluster \(name) is new: loaded before anything runs there (\(list(wanted)))", needs: needs))
            return
        }
        let recorded = recordedImages(objects.ownership)
        let missing = Self.missing(wanted, record: objects.ownership)
        if missing.isEmpty {
            plan.add(
                PlanAction(
                    id: .images(name), change: .inSync, step: step, resource: resource, reason: "loaded: \(list(wanted))", needs: needs))
        } else {
            plan.add(
                PlanAction(
                    id: .images(name), change: recorded.isEmpty ? .create : .update, step: step, resource: resource,
                    reason: "not loaded yet: \(list(missing)) (kind loads only what a node lacks)",
                    observed: recorded.isEmpty ? nil : "\(recorded.count) loaded", needs: needs))
        }
    }

    /// The host step, planned when some cluster loads images: every image of those clusters must
    /// be in the host's docker first (`kind load` reads them there).
    static func planApply(_ plan: inout PlanBuilder) {
        guard let spec = plan.topology.images else { return }
        noteWhatIsNotLoaded(spec, &plan)
        // The images of the loads planned (their steps carry them), each once.
        var needed: [String] = []
        for action in plan.actions where action.change != .inSync {
            guard let load = action.step as? Load else { continue }
            for image in load.images where !needed.contains(image) { needed.append(image) }
        }
        guard !needed.isEmpty else { return }
        let how =
            spec.pull == .missing
            ? "an image the host lacks is pulled once (images.pull: missing)"
            : "an image the host lacks is an error (images.pull: never)"
        plan.add(
            PlanAction(
                id: .hostImages, change: .create, step: Host(images: needed, pull: spec.pull),
                resource: "\(needed.count) image\(needed.count == 1 ? "" : "s") on this host's docker",
                reason: "kind load reads them from the host's docker; \(how)"))
    }

    /// Notes for images the nodes still pull: MetalLB releases whose manifests pull `Always`, and
    /// the operator image, which comes from the chart (not known before helm renders it).
    private static func noteWhatIsNotLoaded(_ spec: Topology.Images, _ plan: inout PlanBuilder) {
        guard spec.derived else { return }
        if case .metallb(let metallb) = plan.topology.loadBalancer, metallb.manifests.isEmpty {
            let always = MetalLBImages.images(version: metallb.version).filter(\.alwaysPulled).map(\.reference)
            if !always.isEmpty {
                plan.notes.append(
                    "MetalLB \(metallb.version)'s manifests pull \(always.joined(separator: " and ")) with imagePullPolicy Always: every node pulls them at each start, so they are not loaded (MetalLB v0.10.1 and later pull IfNotPresent)"
                )
            }
        }
        let values = plan.topology.vaultOperator.values
        let operatorNamed = values[path: "image", "repository"]?.scalar != nil && values[path: "image", "tag"]?.scalar != nil
        if !operatorNamed && !spec.preload.contains(where: { $0.normalized.contains("/vault-operator:") }) {
            plan.notes.append(
                "the operator's image comes from its chart and is not loaded: list it under spec.images.preload (for the chart \(plan.topology.vaultOperator.chart) \(plan.topology.vaultOperator.version ?? ""), ghcr.io/bank-vaults/vault-operator with the chart's appVersion as tag)"
            )
        }
    }

    static func recordValue(_ images: [ImageReference]) -> String { images.map(\.normalized).sorted().joined(separator: ",") }

    static func recordedImages(_ record: KubeObject?) -> Set<String> {
        let text = OwnershipResource.annotations(record)[recordKey] ?? ""
        return Set(text.split(separator: ",").map(String.init))
    }

    private static func list(_ images: [ImageReference]) -> String {
        images.count <= 3
            ? images.map(\.written).joined(separator: ", ")
            : images.prefix(2).map(\.written).joined(separator: ", ") + " and \(images.count - 2) more"
    }

    // MARK: Steps

    /// Every image in the host's docker: `docker image inspect` each; a missing one is pulled
    /// (`pull: missing`) or reported with the command that fetches it (`pull: never`).
    struct Host: Step {
        var images: [String]
        var pull: Topology.Images.Pull

        func run(_ context: StepContext) async throws {
            var absent: [String] = []
            for image in images {
                let result = try await context.run(Docker.imageID(image))
                if result.isSuccess { continue }
                guard Docker.isNotFound(result) else { throw ToolFailure(Docker.imageID(image), result) }
                absent.append(image)
            }
            guard !absent.isEmpty else { return }
            guard pull == .missing else {
                throw StepError(
                    .images,
                    "this host's docker lacks \(absent.joined(separator: ", ")) and spec.images.pull is never: run \(absent.map { "`docker pull \($0)`" }.joined(separator: " and ")), or set spec.images.pull: missing"
                )
            }
            // The pulls run side by side (the engine downloads concurrently); reported in order.
            context.progress("pulling \(absent.joined(separator: ", ")) (absent on this host)")
            let results = try await withThrowingTaskGroup(of: (Int, CommandResult).self) { group in
                for (index, image) in absent.enumerated() { group.addTask { (index, try await context.run(Docker.pull(image))) } }
                var results: [Int: CommandResult] = [:]
                for try await (index, result) in group { results[index] = result }
                return results
            }
            let failed = absent.indices.compactMap { index -> String? in
                guard let result = results[index], !result.isSuccess else { return nil }
                return "\(absent[index]): \(result.lastErrorLine)"
            }
            guard failed.isEmpty else {
                throw StepError(
                    .images,
                    "docker pull failed for \(failed.joined(separator: "; ")); fix the reference in spec.images (or the Vault template / MetalLB version it comes from), or fetch the image onto this host yourself (docker pull, docker load) and apply again"
                )
            }
        }
    }

    /// `kind load docker-image IMAGE… --name CLUSTER`, then the record of what was loaded.
    struct Load: Step {
        var cluster: String
        var images: [String]
        var record: String

        func run(_ context: StepContext) async throws {
            let load = Kind.loadDockerImages(images, cluster: cluster)
            let result = try await context.run(load)
            if !result.isSuccess {
                guard Kind.isMissingPlatformContent(result) else { throw ToolFailure(load, result) }
                try await loadOnePlatform(context, failure: result)
            }
            try await OwnershipResource.annotate(cluster, [(ImagesResource.recordKey, record)], context)
        }

        /// kind's workaround for a host whose docker keeps multi-platform images with only its own
        /// platform's content (the containerd image store): save that one platform, then load the
        /// archive (kind PR 4247; docs/tools.md#kind-load).
        private func loadOnePlatform(_ context: StepContext, failure: CommandResult) async throws {
            let platform = Kind.nodePlatform
            context.progress("kind load docker-image failed on another platform's content; saving \(platform) only")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("multidc-images-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let archive = directory.appendingPathComponent("images.tar").path
            let save = try await context.run(Docker.saveImages(images, platform: platform, output: archive))
            guard save.isSuccess else {
                throw StepError(
                    .images,
                    "kind load docker-image failed: \(failure.lastErrorLine). This host's docker keeps multi-platform images with only the \(platform) content (Docker's containerd image store; kind issue 3795), which kind cannot import; kind's workaround, `docker image save --platform \(platform)` then `kind load image-archive`, failed too: \(save.lastErrorLine). Use Docker 28 or later, or turn off Docker's containerd image store (\"features\": {\"containerd-snapshotter\": false} in daemon.json), or remove spec.images"
                )
            }
            try await context.check(Kind.loadImageArchive(archive, cluster: cluster))
        }
    }
}

/// `multidc images`: what apply loads, each image once, in load order.
package enum ImageList {
    /// One line per image (as written); with `sources`, then the clusters it goes to and where it
    /// comes from. A spec without `images` lists what `images: {}` would load.
    package static func lines(_ loaded: LoadedTopology, clusters: Set<String>?, sources: Bool) -> [String] {
        let settings = loaded.topology.images ?? Topology.Images()
        var order: [ImageReference] = []
        var targets: [ImageReference: [String]] = [:]
        var origins: [ImageReference: [String]] = [:]
        for image in settings.preload { origins[image, default: []].append("spec.images.preload") }
        for cluster in loaded.topology.clusters where clusters?.contains(cluster.name) ?? true {
            let derived = settings.derived ? ImagesResource.derived(of: cluster, loaded) : []
            for image in ImagesResource.merged(settings, derived: derived.map(\.image)) {
                if targets[image] == nil { order.append(image) }
                targets[image, default: []].append(cluster.name)
            }
            for (image, source) in derived where !(origins[image] ?? []).contains(source) {
                origins[image, default: []].append(source)
            }
        }
        return order.map { image in
            guard sources else { return image.written }
            return
                "\(image.written)\t\(targets[image, default: []].joined(separator: ","))\t\((origins[image] ?? []).joined(separator: "; "))"
        }
    }
}

extension StepError.Code {
    package static let images = StepError.Code(name: "images")
}
