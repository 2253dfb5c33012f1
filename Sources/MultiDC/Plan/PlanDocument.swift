import YAML

/// The plan as a versioned JSON document (`multidc diff -o json`).
///
///     {
///       "formatVersion": "multidc.plan/v1",
///       "topology": "vault-raft", "purpose": "apply",
///       "summary": { "add": 3, "change": 1, "destroy": 0, "wait": 1, "changes": true },
///       "actions": [ { "id": "cluster/secondary", "change": "create", "symbol": "+",
///                      "cluster": "secondary", "resource": "kind cluster secondary",
///                      "reason": "…", "observed": null, "dependsOn": ["network"],
///                      "dataLoss": null, "fields": [ { "path": "…", "before": "…", "after": "…" } ] } ],
///       "problems": [ { "cluster": null, "message": "…" } ],
///       "notes": [ "…" ]
///     }
///
/// Sensitive values never appear: they are `(sensitive)` already in the plan. New fields may be
/// added within v1; a change of meaning bumps the version.
package enum PlanDocument {
    package static let formatVersion = "multidc.plan/v1"

    package static func json(_ plan: Plan) -> String {
        node(plan).jsonString(pretty: true)
    }

    package static func node(_ plan: Plan) -> Node {
        let s = plan.summary
        let actions: [Node] = plan.actions.map { a in
            .mapping([
                "id": .string(a.id.description),
                "change": .string(a.change.word),
                "symbol": .string(a.change.symbol),
                "cluster": a.cluster.map { Node.string($0) } ?? .scalar("null"),
                "resource": .string(a.resource),
                "reason": .string(a.reason),
                "observed": a.observed.map { Node.string($0) } ?? .scalar("null"),
                "dependsOn": .sequence(a.dependsOn.map { .string($0.description) }),
                "dataLoss": a.dataLoss.map { Node.string($0) } ?? .scalar("null"),
                "fields": .sequence(
                    a.fields.map { f in
                        .mapping([
                            "path": .string(f.path),
                            "before": f.before.map { Node.string($0) } ?? .scalar("null"),
                            "after": f.after.map { Node.string($0) } ?? .scalar("null"),
                        ])
                    }),
            ])
        }
        return .mapping([
            "formatVersion": .string(formatVersion),
            "topology": .string(plan.topology),
            "purpose": .string(plan.purpose.rawValue),
            "summary": .mapping([
                "add": .scalar(String(s.add)), "change": .scalar(String(s.change)), "destroy": .scalar(String(s.destroy)),
                "wait": .scalar(String(plan.waits)),
                "changes": .scalar(plan.hasChanges ? "true" : "false"),
            ]),
            "actions": .sequence(actions),
            "problems": .sequence(
                plan.problems.map { p in
                    .mapping(["cluster": p.cluster.map { Node.string($0) } ?? .scalar("null"), "message": .string(p.message)])
                }),
            "notes": .sequence(plan.notes.map { .string($0) }),
        ])
    }
}
