import YAML

/// What an action does, with everything the executor needs that is known at plan time.
/// Values known only after an earlier action (the KMS address, an adopted subnet) are
/// resolved when the step runs, never guessed here.
public enum Step: Sendable {
    // apply
    case createNetwork(name: String, subnet: CIDR?)
    case runKMS(name: String, image: String, network: String, replaceExisting: Bool)
    case startContainers(names: [String])
    case createCluster(name: String, image: String?, workers: Int, network: String)
    case recordOwnership(cluster: String)
    case installMetalLB(cluster: String, version: String, manifests: [String])
    case configurePool(cluster: String, mode: Topology.MetalLB.Mode)
    case addHelmRepository(name: String, url: String)
    case installOperator(cluster: String)
    case applyManifests(cluster: String, files: [FileReference])
    case copySecret(name: String, from: String, to: String)
    case applyVault(cluster: String, recreate: Bool)
    // destroy
    case deleteVault(cluster: String, names: [String])
    case deleteSecret(cluster: String, name: String)
    case uninstallOperator(cluster: String)
    case deleteOwnership(cluster: String)
    case deleteObject(cluster: String, kind: String, name: String, namespace: String)
    case deleteCluster(name: String)
    case removeContainer(name: String)
    case removeNetwork(name: String)
}
