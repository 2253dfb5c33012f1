/// The execution DAG could not be built: a duplicate id, an unknown dependency or a cycle.
package struct ExecutionGraphError: Error, CustomStringConvertible, Equatable {
    /// An open set of error codes (compare with `==`).
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        package static let duplicateJob = Code(name: "duplicateJob")
        package static let unknownDependency = Code(name: "unknownDependency")
        package static let cycle = Code(name: "cycle")
        package var description: String { name }
    }

    package var code: Code
    /// The jobs involved; for a cycle, in cycle order.
    package var jobs: [String]
    package var description: String

    init(_ code: Code, jobs: [String], _ description: String) {
        self.code = code
        self.jobs = jobs
        self.description = description
    }
}

/// A validated DAG of jobs with a topological order (stable: definition order breaks ties).
struct ExecutionGraph {
    let jobs: [ExecutionJob]
    let index: [String: Int]
    let dependents: [[Int]]
    let dependencies: [[Int]]
    let order: [Int]

    init(_ jobs: [ExecutionJob]) throws(ExecutionGraphError) {
        var index: [String: Int] = [:]
        for (i, job) in jobs.enumerated() {
            if index[job.id] != nil {
                throw ExecutionGraphError(.duplicateJob, jobs: [job.id], "job id '\(job.id)' is used twice")
            }
            index[job.id] = i
        }
        var dependencies = Array(repeating: [Int](), count: jobs.count)
        var dependents = Array(repeating: [Int](), count: jobs.count)
        for (i, job) in jobs.enumerated() {
            for dep in job.dependencies {
                guard let d = index[dep] else {
                    throw ExecutionGraphError(
                        .unknownDependency, jobs: [job.id, dep],
                        "job '\(job.id)' depends on unknown job '\(dep)'")
                }
                if !dependencies[i].contains(d) {
                    dependencies[i].append(d)
                    dependents[d].append(i)
                }
            }
        }
        // Kahn's algorithm, always taking the lowest index ready: stable order.
        var remaining = dependencies.map(\.count)
        var ready = remaining.indices.filter { remaining[$0] == 0 }
        var order: [Int] = []
        while !ready.isEmpty {
            let next = ready.min()!
            ready.removeAll { $0 == next }
            order.append(next)
            for d in dependents[next] {
                remaining[d] -= 1
                if remaining[d] == 0 { ready.append(d) }
            }
        }
        if order.count < jobs.count {
            let cycle = Self.findCycle(among: Set(remaining.indices.filter { remaining[$0] > 0 }), dependencies)
            let names = cycle.map { jobs[$0].id }
            throw ExecutionGraphError(
                .cycle, jobs: names,
                "dependency cycle: " + (names + [names[0]]).joined(separator: " → ")
                    + " (each job depends on the next)")
        }
        self.jobs = jobs
        self.index = index
        self.dependents = dependents
        self.dependencies = dependencies
        self.order = order
    }

    /// A cycle among `nodes` (all of which lie on or behind a cycle), in dependency order.
    private static func findCycle(among nodes: Set<Int>, _ dependencies: [[Int]]) -> [Int] {
        // Walk dependency edges from the smallest node until a node repeats.
        var path: [Int] = []
        var position: [Int: Int] = [:]
        var current = nodes.min()!
        while position[current] == nil {
            position[current] = path.count
            path.append(current)
            current = dependencies[current].first { nodes.contains($0) }!
        }
        return Array(path[position[current]!...])
    }
}
