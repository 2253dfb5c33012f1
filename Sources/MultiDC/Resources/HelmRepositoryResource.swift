/// The helm chart repository the operator chart comes from (`operator.repo`), added when an
/// operator is installed or upgraded. Not observed: `helm repo add --force-update` is idempotent.
enum HelmRepositoryResource: GlobalRule {
    static func planApply(_ plan: inout PlanBuilder) {
        guard let repo = plan.topology.vaultOperator.repo else { return }
        let installs = plan.actions.contains { action in
            if case .vaultOperator = action.id { return action.change != .inSync }
            return false
        }
        guard installs else { return }
        plan.add(
            PlanAction(
                id: .helmRepository, change: .create, step: Add(name: repo.name, url: repo.url), resource: "helm repository \(repo.name)",
                reason: "the operator chart comes from \(repo.url)"))
    }

    /// `helm repo add NAME URL --force-update`.
    struct Add: Step {
        var name: String
        var url: String
        func run(_ context: StepContext) async throws { try await context.check(Helm.repoAdd(name: name, url: url)) }
    }
}
