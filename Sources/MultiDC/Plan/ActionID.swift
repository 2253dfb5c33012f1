/// The identity of a plan action: which resource, of which cluster. Ids are typed so that a
/// dependency cannot name an action that does not exist by a typo; `description` is the stable
/// text form used in JSON plans, job ids and messages (`vault/primary`,
/// `secret/vault-primary-tls/secondary`).
package enum ActionID: Sendable, Hashable, CustomStringConvertible {
    case network
    case kms
    case helmRepository
    /// The images of `spec.images` on the host's docker (pulled when missing).
    case hostImages
    /// The images of `spec.images` loaded into a cluster's nodes.
    case images(String)
    case cluster(String)
    case ownership(String)
    case metalLB(String)
    case pool(String)
    case vaultOperator(String)
    case manifests(String)
    /// A secret copied from the leader's cluster: the secret's name, then the target cluster.
    case sharedSecret(String, cluster: String)
    /// The Vault CRs of a cluster, applied.
    case vault(String)
    /// The Vault pods of a cluster, Ready (a readiness wait, its own step).
    case vaultReady(String)
    /// An object multidc wrote that destroy removes: kind (lower case), name, cluster.
    case object(kind: String, name: String, cluster: String)
    /// A server of the Raft configuration, by node id (removed with `remove-peer`).
    case raftPeer(String)

    package var description: String {
        switch self {
        case .network: "network"
        case .kms: "kms"
        case .helmRepository: "helm-repo"
        case .hostImages: "images"
        case .images(let c): "images/\(c)"
        case .cluster(let c): "cluster/\(c)"
        case .ownership(let c): "ownership/\(c)"
        case .metalLB(let c): "metallb/\(c)"
        case .pool(let c): "pool/\(c)"
        case .vaultOperator(let c): "operator/\(c)"
        case .manifests(let c): "manifests/\(c)"
        case .sharedSecret(let name, let c): "secret/\(name)/\(c)"
        case .vault(let c): "vault/\(c)"
        case .vaultReady(let c): "vault-ready/\(c)"
        case .object(let kind, let name, let c): "metallb/\(kind)/\(name)/\(c)"
        case .raftPeer(let id): "raft-peer/\(id)"
        }
    }

    /// Parses the text form (`description`); nil for text that names no action.
    package init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch (parts.first ?? "", parts.count) {
        case ("network", 1): self = .network
        case ("kms", 1): self = .kms
        case ("helm-repo", 1): self = .helmRepository
        case ("images", 1): self = .hostImages
        case ("images", 2): self = .images(parts[1])
        case ("cluster", 2): self = .cluster(parts[1])
        case ("ownership", 2): self = .ownership(parts[1])
        case ("metallb", 2): self = .metalLB(parts[1])
        case ("metallb", 4): self = .object(kind: parts[1], name: parts[2], cluster: parts[3])
        case ("pool", 2): self = .pool(parts[1])
        case ("operator", 2): self = .vaultOperator(parts[1])
        case ("manifests", 2): self = .manifests(parts[1])
        case ("secret", 3): self = .sharedSecret(parts[1], cluster: parts[2])
        case ("vault", 2): self = .vault(parts[1])
        case ("vault-ready", 2): self = .vaultReady(parts[1])
        case ("raft-peer", 2): self = .raftPeer(parts[1])
        default: return nil
        }
    }

    /// The cluster the action belongs to (nil: topology-wide).
    package var cluster: String? {
        switch self {
        case .network, .kms, .helmRepository, .hostImages, .raftPeer: nil
        case .cluster(let c), .images(let c), .ownership(let c), .metalLB(let c), .pool(let c), .vaultOperator(let c), .manifests(let c),
            .vault(let c), .vaultReady(let c):
            c
        case .sharedSecret(_, let c), .object(_, _, let c): c
        }
    }
}

extension ActionID: ExpressibleByStringLiteral {
    /// An id written in its text form (`"vault/primary"`); the literal must name an action.
    package init(stringLiteral text: String) {
        guard let id = ActionID(text) else { preconditionFailure("'\(text)' is not an action id") }
        self = id
    }
}
