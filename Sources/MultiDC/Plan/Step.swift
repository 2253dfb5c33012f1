/// What an action does when it runs. Each resource defines its steps next to its planning rule
/// (Sources/MultiDC/Resources); a step carries everything decided at plan time — replace
/// semantics, pools, manifest URLs — and reads only values known after apply (a new network's
/// subnet, a new KMS's address and token) from the run's state.
package protocol Step: Sendable {
    func run(_ context: StepContext) async throws
}
