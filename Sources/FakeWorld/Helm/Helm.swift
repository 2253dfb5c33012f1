import Foundation
import YAML

/// `helm` (v3): repos, upgrade --install, list, status, uninstall; releases stored per cluster.
struct Helm {
    let world: World
    /// The helm the world plays: 3 (default) or 4 (`fakeworld config helm-major 4`, kept in the state).
    var major: Int { world.store.read().helmMajor }
    static let v3 = ("v3.21.4", "813176c51bb5c181dbbd7901298ddcc104cd3417")
    static let v4 = ("v4.2.4", "3900f434fd3ef2b84065dc04508df48f288dba00")
    static let global: [FlagSpec] = [
        .value("kube-context"), .value("namespace", "n"), .value("kubeconfig"), .bool("debug"), .value("repository-config"),
        .value("repository-cache"), .value("registry-config"), .value("kube-apiserver"), .value("kube-token"), .bool("help", "h"),
        .value("burst-limit"), .value("qps"),
    ]

    func run(_ args: [String]) throws -> ToolResult {
        let words = args.filter { !$0.hasPrefix("-") }
        guard let command = firstCommand(args) else {
            return ToolResult(stdout: "The Kubernetes package manager\n\nUsage:\n  helm [command]\n")
        }
        var rest = args
        rest.remove(at: rest.firstIndex(of: command)!)
        _ = words
        switch command {
        case "repo": return try repo(rest)
        case "upgrade": return try upgrade(rest, installCommand: false)
        case "install": return try upgrade(rest, installCommand: true)
        case "list", "ls": return try list(rest)
        case "status": return try status(rest)
        case "uninstall", "delete", "un", "del": return try uninstall(rest)
        case "get":
            return try getValues(rest)
        case "version":
            let p = try FlagParser.parse(
                rest, specs: Helm.global + [.bool("short"), .value("template"), .bool("client", "c")], style: .helm)
            // [SRC helm pkg/cmd/version.go v4.2.4 / cmd/helm/version.go v3.21.4 formatVersion]:
            // --short prints Version+"+g"+GitCommit[:7].
            let (v, commit) = major == 4 ? Helm.v4 : Helm.v3
            if let t = p.last("template") {
                // text/template over version.BuildInfo (no newline added, as helm prints it).
                var out = t
                for (k, val) in [("Version", v), ("GitCommit", commit), ("GitTreeState", "clean"), ("GoVersion", "go1.25.5")] {
                    out = out.replacingOccurrences(of: "{{.\(k)}}", with: val).replacingOccurrences(of: "{{ .\(k) }}", with: val)
                }
                return ToolResult(stdout: out)
            }
            if p.bool("short") { return ToolResult(stdout: "\(v)+g\(commit.prefix(7))\n") }
            return ToolResult(
                stdout:
                    "version.BuildInfo{Version:\"\(v)\", GitCommit:\"\(commit)\", GitTreeState:\"clean\", GoVersion:\"go1.25.5\"\(major == 4 ? ", KubeClientVersion:\"v1.34\"" : "")}\n"
            )
        default:
            throw ToolFailure(stderr: "Error: unknown command \"\(command)\" for \"helm\"\nRun 'helm --help' for usage.")
        }
    }

    func firstCommand(_ args: [String]) -> String? {
        var i = 0
        while i < args.count {
            let a = args[i]
            if a.hasPrefix("-") {
                let name = a.hasPrefix("--") ? String(a.dropFirst(2).prefix { $0 != "=" }) : String(a.dropFirst().prefix(1))
                if let s = Helm.global.first(where: { $0.name == name || (a.count == 2 && $0.short == a.last) }), s.takesValue,
                    !a.contains("=")
                {
                    i += 1
                }
                i += 1
                continue
            }
            return a
        }
        return nil
    }

    func namespace(_ p: ParsedFlags) -> String { p.last("namespace") ?? world.env["HELM_NAMESPACE"] ?? "default" }

    /// The target cluster; throws helm's unreachable text when its API server is down.
    func withCluster(_ p: ParsedFlags, wrap: String? = nil, _ body: (inout WorldState, String) throws -> ToolResult) throws -> ToolResult {
        let access = Access(world: world)
        let target = try access.target(
            context: p.last("kube-context") ?? world.env["HELM_KUBECONTEXT"], kubeconfig: p.last("kubeconfig"),
            namespace: p.last("namespace"), helm: true)
        let name: String
        do { name = try access.requireUp(target) } catch {
            if case .refused(let hp) = error {
                var text = access.helmRefusedText(hp)
                if let wrap { text = text.replacingOccurrences(of: "Error: ", with: "Error: \(wrap): ") }
                throw ToolFailure(stderr: text)
            }
            throw error
        }
        return try world.store.transaction { state in
            Simulation(world: world).reconcile(&state)
            return try body(&state, name)
        }
    }

    // MARK: repo

    struct Repo: Codable { var name: String; var url: String }

    func loadRepos() -> [Repo] {
        guard let d = try? Data(contentsOf: world.home.helmRepos) else { return [] }
        return (try? JSONDecoder().decode([Repo].self, from: d)) ?? []
    }

    func repo(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            args,
            specs: Helm.global + [
                .bool("force-update"), .value("username"), .value("password"), .bool("pass-credentials"), .bool("insecure-skip-tls-verify"),
                .value("output", "o"), .bool("fail-on-repo-update-fail"),
            ], style: .helm)
        let w = p.positionals
        switch w.first {
        case "add":
            guard w.count == 3 else {
                throw ToolFailure(stderr: "Error: \"helm repo add\" requires 2 arguments\n\nUsage:  helm repo add [NAME] [URL] [flags]")
            }
            return try world.store.transaction { _ in
                var repos = loadRepos()
                if let existing = repos.first(where: { $0.name == w[1] }) {
                    if existing.url == w[2] {
                        return ToolResult(stdout: "\"\(w[1])\" already exists with the same configuration, skipping\n")
                    }
                    if !p.bool("force-update") {
                        throw ToolFailure(stderr: "Error: repository name (\(w[1])) already exists, please specify a different name")
                    }
                    repos.removeAll { $0.name == w[1] }
                }
                // [SRC helm cmd/helm/repo_add.go v3.21.4 / pkg/cmd/repo_add.go v4.2.4] the index is
                // downloaded first; a host that does not resolve fails the add.
                guard Charts.liveRepositories[Charts.normalize(w[2])] != nil else {
                    let host = URL(string: w[2])?.host ?? w[2]
                    throw ToolFailure(
                        stderr:
                            "Error: looks like \"\(w[2])\" is not a valid chart repository or cannot be reached: Get \"\(Charts.normalize(w[2]))/index.yaml\": dial tcp: lookup \(host) on 127.0.0.53:53: no such host"
                    )
                }
                repos.append(Repo(name: w[1], url: w[2]))
                try JSONEncoder().encode(repos).write(to: world.home.helmRepos)
                return ToolResult(stdout: "\"\(w[1])\" has been added to your repositories\n")
            }
        case "update", "up":
            let repos = loadRepos()
            guard !repos.isEmpty else { throw ToolFailure(stderr: "Error: no repositories found. You must add one before updating") }
            var out = "Hang tight while we grab the latest from your chart repositories...\n"
            for r in repos where w.count == 1 || w.dropFirst().contains(r.name) {
                out += "...Successfully got an update from the \"\(r.name)\" chart repository\n"
            }
            return ToolResult(stdout: out + "Update Complete. ⎈Happy Helming!⎈\n")
        case "list", "ls":
            let repos = loadRepos()
            guard !repos.isEmpty else { throw ToolFailure(stderr: "Error: no repositories to show") }
            return ToolResult(
                stdout: Printer.columns([["NAME", "URL"]] + repos.map { [$0.name, $0.url] }).replacingOccurrences(of: "   ", with: " \t"))
        case "remove", "rm":
            return try world.store.transaction { _ in
                var repos = loadRepos()
                var out = ""
                for n in w.dropFirst() {
                    guard repos.contains(where: { $0.name == n }) else { throw ToolFailure(stderr: "Error: no repo named \"\(n)\" found") }
                    repos.removeAll { $0.name == n }
                    out += "\"\(n)\" has been removed from your repositories\n"
                }
                try JSONEncoder().encode(repos).write(to: world.home.helmRepos)
                return ToolResult(stdout: out)
            }
        default:
            throw ToolFailure(stderr: "Error: unknown command \"\(w.first ?? "")\" for \"helm repo\"")
        }
    }

    // MARK: upgrade --install

    func upgrade(_ args: [String], installCommand: Bool) throws -> ToolResult {
        let p = try FlagParser.parse(
            args,
            specs: Helm.global + [
                .bool("install", "i"), .bool("create-namespace"), .value("version"), .value("set"), .value("set-string"),
                .value("values", "f"),
                .bool("wait"), .bool("wait-for-jobs"), .value("timeout"), .bool("atomic"), .bool("reuse-values"), .bool("reset-values"),
                .bool("force"), .value("description"), .bool("devel"), .bool("dry-run"), .value("output", "o"), .bool("skip-crds"),
                .bool("cleanup-on-fail"), .value("repo"), .bool("generate-name", "g"),
            ] + (major == 4 ? [.bool("rollback-on-failure"), .bool("force-replace"), .value("server-side")] : []), style: .helm)
        var deprecations = ""
        let wait = try waitFlag(p)
        if major == 4 {
            // [SRC helm pkg/cmd/upgrade.go v4.2.4] MarkDeprecated("atomic"/"force"); cobra prints
            // "Flag --NAME has been deprecated, MSG" on stderr.
            if p.has("atomic") { deprecations += "Flag --atomic has been deprecated, use --rollback-on-failure instead\n" }
            if p.has("force") { deprecations += "Flag --force has been deprecated, use --force-replace instead\n" }
        }
        let cmd = installCommand ? "install" : "upgrade"
        guard p.positionals.count == 2 else {
            throw ToolFailure(stderr: "Error: \"helm \(cmd)\" requires 2 arguments\n\nUsage:  helm \(cmd) [RELEASE] [CHART] [flags]")
        }
        let release = p.positionals[0], chartRef = p.positionals[1]
        let install = installCommand || p.bool("install")
        var timeout = 300.0
        if let t = p.last("timeout") {
            guard let s = GoDuration.parse(t) else {
                throw ToolFailure(stderr: "Error: invalid argument \"\(t)\" for \"--timeout\" flag: time: invalid duration \"\(t)\"")
            }
            timeout = s
        }
        // Chart resolution: repo/chart needs the repo; paths must exist; oci:// and --repo URL are taken as given.
        if p.has("repo") {
            if chartRef.contains("/") {
                throw ToolFailure(stderr: "Error: chart \"\(chartRef)\" not found in \(p.last("repo")!) repository")
            }
        } else if !chartRef.hasPrefix("oci://") && !chartRef.hasPrefix("/") && !chartRef.hasPrefix(".") && chartRef.contains("/") {
            let repoName = String(chartRef.split(separator: "/")[0])
            if FileManager.default.fileExists(atPath: chartRef) {
            } else if !loadRepos().contains(where: { $0.name == repoName }) {
                throw ToolFailure(stderr: "Error: repo \(repoName) not found")
            }
        } else if chartRef.hasPrefix("/") || chartRef.hasPrefix(".") {
            if !FileManager.default.fileExists(atPath: chartRef) { throw ToolFailure(stderr: "Error: path \"\(chartRef)\" not found") }
        } else if !chartRef.hasPrefix("oci://") && !FileManager.default.fileExists(atPath: chartRef) {
            throw ToolFailure(stderr: "Error: repo \(chartRef) not found")
        }
        let chart = Charts.name(of: chartRef)
        var defaults = Charts.defaultVersion(chart)
        var version = p.last("version") ?? defaults.version
        var pulled = ""
        if chartRef.hasPrefix("oci://") {
            // OCI needs no `repo add`; the reference and the tag must exist in the registry.
            let ref = String(chartRef.dropFirst("oci://".count))
            guard let versions = Charts.ociCharts[Charts.normalize(chartRef)] else {
                throw ToolFailure(
                    stderr: "Error: failed to perform \"FetchReference\" on source: \(ref):\(p.last("version") ?? "latest"): not found")
            }
            if let want = p.last("version") {
                guard versions.contains(want) else {
                    throw ToolFailure(stderr: "Error: failed to perform \"FetchReference\" on source: \(ref):\(want): not found")
                }
            } else {
                version = versions.last!
            }
            defaults.app = "v\(version)"
            let digest = SHA1.digest(Array("\(ref):\(version)".utf8)).map { String(format: "%02x", $0) }.joined()
            pulled =
                "Pulled: \(ref.replacingOccurrences(of: "oci://", with: "")):\(version)\nDigest: sha256:\(digest)\(digest.prefix(24))\n"
        } else if let repoName = chartRef.split(separator: "/").first.map(String.init), chartRef.contains("/"),
            !chartRef.hasPrefix("/"), !chartRef.hasPrefix("."), let r = loadRepos().first(where: { $0.name == repoName }),
            !(Charts.liveRepositories[Charts.normalize(r.url)] ?? []).contains(chart)
        {
            throw ToolFailure(
                stderr:
                    "Error: chart \"\(chart)\" matching \(p.last("version") ?? "") not found in \(repoName) index. (try 'helm repo update'): no chart name found"
            )
        } else if let url = p.last("repo"), Charts.liveRepositories[Charts.normalize(url)] == nil {
            let host = URL(string: url)?.host ?? url
            throw ToolFailure(
                stderr:
                    "Error: looks like \"\(url)\" is not a valid chart repository or cannot be reached: Get \"\(Charts.normalize(url))/index.yaml\": dial tcp: lookup \(host) on 127.0.0.53:53: no such host"
            )
        }
        var values: JSON = .object([:])
        for f in p.all("values") {
            // `-f -` reads the values from stdin (helm's ReadValuesFile on "-").
            guard let d = f == "-" ? world.invocation.readStdin() : FileManager.default.contents(atPath: f) else {
                throw ToolFailure(stderr: "Error: open \(f): no such file or directory")
            }
            do {
                if let n = try YAMLParser.parse(String(decoding: d, as: UTF8.self), file: f) {
                    values = JSONMerge.merge(base: values, overlay: JSON(node: n), removing: nil)
                }
            } catch {
                throw ToolFailure(
                    stderr: "Error: failed to parse \(f): error converting YAML to JSON: yaml: line \(error.mark.line): \(error.message)")
            }
        }
        for s in p.all("set") + p.all("set-string") {
            for assignment in s.split(separator: ",") {
                let kv = assignment.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else {
                    throw ToolFailure(stderr: "Error: failed parsing --set data: key \"\(assignment)\" has no value")
                }
                let v: JSON =
                    p.all("set-string").contains(s)
                    ? .string(kv[1])
                    : Int(kv[1]).map(JSON.int)
                        ?? (kv[1] == "true" ? .bool(true) : kv[1] == "false" ? .bool(false) : kv[1] == "null" ? .null : .string(kv[1]))
                values[pathArray: kv[0].split(separator: ".").map(String.init)] = v
            }
        }
        let ns = namespace(p)
        var out = try withCluster(p, wrap: install ? nil : "UPGRADE FAILED") { state, name -> ToolResult in
            var c = state.clusters[name]!
            defer { state.clusters[name] = c }
            let key = "\(ns)/\(release)"
            if world.settings.helmPending(release), c.releases[key] == nil {
                // Injected fault: an earlier helm process was interrupted and left the release pending-install.
                c.releases[key] = HelmRelease(
                    name: release, namespace: ns,
                    revisions: [
                        .init(
                            revision: 1, status: "pending-install", chartName: chart, chartVersion: version, appVersion: defaults.app,
                            values: values, updated: world.now, firstDeployed: world.now, description: "Initial install underway")
                    ])
            }
            let existing = c.releases[key]
            let last = existing?.revisions.last
            let installPath = last == nil || last?.status == "uninstalled"
            if installPath && !install { throw ToolFailure(stderr: "Error: UPGRADE FAILED: \"\(release)\" has no deployed releases") }
            if installCommand && !installPath {
                throw ToolFailure(stderr: "Error: INSTALLATION FAILED: cannot re-use a name that is still in use")
            }
            if let s = last?.status, s.hasPrefix("pending-") {
                throw ToolFailure(stderr: "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress")
            }
            if installPath {
                if !c.namespaceExists(ns) {
                    guard p.bool("create-namespace") else {
                        let msg = "create: failed to create: namespaces \"\(ns)\" not found"
                        throw ToolFailure(stderr: installCommand ? "Error: INSTALLATION FAILED: \(msg)" : "Error: \(msg)")
                    }
                    c.create(
                        ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]], type: .namespace, now: world.now)
                }
            } else if !c.namespaceExists(ns) {
                throw ToolFailure(stderr: "Error: UPGRADE FAILED: namespaces \"\(ns)\" not found")
            }
            // Render and apply the chart's objects (CRDs are created once and never updated by helm).
            for obj in Charts.objects(chart: chart, release: release, namespace: ns, values: values, version: version, app: defaults.app) {
                guard let t = c.type(kind: obj.kind ?? "", apiVersion: obj["apiVersion"]?.string ?? "") else { continue }
                if let live = c.get(t, namespace: obj.namespace, name: obj.name ?? "") {
                    if t.kind != "CustomResourceDefinition" {
                        var merged = JSONMerge.merge(base: live, overlay: obj, removing: nil)
                        merged["status"] = live["status"]
                        c.update(merged, type: t)
                    }
                } else {
                    c.create(obj, type: t, now: world.now)
                }
            }
            var rel = existing ?? HelmRelease(name: release, namespace: ns, revisions: [])
            if installPath { rel.revisions = rel.revisions.filter { $0.status != "uninstalled" } }
            for i in rel.revisions.indices where rel.revisions[i].status == "deployed" { rel.revisions[i].status = "superseded" }
            let number = (rel.revisions.last?.revision ?? 0) + 1
            let first = rel.revisions.first?.firstDeployed ?? world.now
            rel.revisions.append(
                .init(
                    revision: number, status: wait ? "pending-\(installPath ? "install" : "upgrade")" : "deployed",
                    chartName: chart, chartVersion: version, appVersion: defaults.app, values: values,
                    updated: world.now, firstDeployed: first, description: installPath ? "Install complete" : "Upgrade complete"))
            c.releases[key] = rel
            var text =
                installPath
                ? "Release \"\(release)\" does not exist. Installing it now.\n"
                : "Release \"\(release)\" has been upgraded. Happy Helming!\n"
            if installCommand { text = "" }
            text += statusBlock(rel, revision: rel.revisions.last!)
            return ToolResult(stdout: text)
        }
        out = ToolResult(stdout: out.stdout, stderr: deprecations + pulled + out.stderr, code: out.code)
        world.sleep(world.settings.latency[.helmInstall])
        if wait {
            try waitReady(p, release: release, namespace: ns, timeout: timeout)
            // The status block shows the release as it ends up (deployed after the wait).
            return ToolResult(
                stdout: out.stdout.replacingOccurrences(of: "STATUS: pending-install\n", with: "STATUS: deployed\n")
                    .replacingOccurrences(of: "STATUS: pending-upgrade\n", with: "STATUS: deployed\n"), stderr: out.stderr)
        }
        return out
    }

    /// --wait: the release's workloads must be ready within the timeout; else the release is failed.
    /// `--wait`: a bool in helm 3; in helm 4 a strategy (`--wait` alone = watcher; hookOnly, legacy;
    /// true/false deprecated) [SRC helm pkg/cmd/flags.go v4.2.4 AddWaitFlag, waitValue.Set].
    func waitFlag(_ p: ParsedFlags) throws(ToolFailure) -> Bool {
        guard let v = p.last("wait") else { return false }
        if major == 4 {
            switch v {
            case "true", "watcher", "legacy": return true
            case "false", "hookOnly": return false
            default:
                throw ToolFailure(
                    stderr:
                        "Error: invalid argument \"\(v)\" for \"--wait\" flag: invalid wait input \"\(v)\". Valid inputs are watcher, hookOnly, and legacy"
                )
            }
        }
        switch v {
        case "true", "1", "t", "T", "TRUE", "True": return true
        case "false", "0", "f", "F", "FALSE", "False": return false
        default:
            throw ToolFailure(
                stderr: "Error: invalid argument \"\(v)\" for \"--wait\" flag: strconv.ParseBool: parsing \"\(v)\": invalid syntax")
        }
    }

    func waitReady(_ p: ParsedFlags, release: String, namespace ns: String, timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let done = try withCluster(p) { state, name -> ToolResult in
                var c = state.clusters[name]!
                defer { state.clusters[name] = c }
                let deps = c.list(.deployment, namespace: ns).filter { $0.labels["app.kubernetes.io/instance"] == release }
                let ready = deps.allSatisfy { $0.conditionTrue("Available") }
                let key = "\(ns)/\(release)"
                if ready || Date() >= deadline, var rel = c.releases[key], let i = rel.revisions.indices.last {
                    rel.revisions[i].status = ready ? "deployed" : "failed"
                    if !ready { rel.revisions[i].description = "Release \"\(release)\" failed: context deadline exceeded" }
                    c.releases[key] = rel
                    return ToolResult(code: ready ? 0 : 1)
                }
                return ToolResult(code: 2)
            }
            if done.code == 0 { return }
            if done.code == 1 { throw ToolFailure(stderr: "Error: context deadline exceeded") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    func ansic(_ t: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE MMM d HH:mm:ss yyyy"
        let s = f.string(from: Date(timeIntervalSince1970: t))
        // time.ANSIC pads the day with a space: "Fri Sep  2 22:04:05 1977".
        let parts = s.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[2].count == 1 else { return s }
        return "\(parts[0]) \(parts[1])  \(parts[2]) \(parts[3]) \(parts[4])"
    }

    func goTime(_ t: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let nanos = Int((t - t.rounded(.down)) * 1e9)
        var frac = String(format: "%09d", nanos)
        while frac.hasSuffix("0") { frac.removeLast() }
        return f.string(from: Date(timeIntervalSince1970: t)) + (frac.isEmpty ? "" : ".\(frac)") + " +0000 UTC"
    }

    func statusBlock(_ rel: HelmRelease, revision r: HelmRelease.Revision) -> String {
        "NAME: \(rel.name)\nLAST DEPLOYED: \(ansic(r.updated))\nNAMESPACE: \(rel.namespace)\nSTATUS: \(r.status)\nREVISION: \(r.revision)\nTEST SUITE: None\n"
    }

    // MARK: list / status / uninstall

    func list(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            args,
            specs: Helm.global + [
                .bool("all-namespaces", "A"), .value("output", "o"), .bool("pending"), .bool("failed"),
                .bool("deployed"),
                .bool("superseded"), .bool("uninstalled"), .bool("short", "q"), .value("filter"), .value("max", "m"), .bool("no-headers"),
                .value("selector", "l"),
                // [SRC helm cmd/helm/list.go v3 (commit 0046554); pkg/cmd/list.go v4.0.0] both have --uninstalling.
                .bool("uninstalling"),
            ]
                // [SRC helm pkg/cmd/list.go v4.0.0] `-a/--all` was removed in helm 4 (v3: cmd/helm/list.go).
                + (major == 4 ? [] : [.bool("all", "a")]), style: .helm)
        let output = p.last("output") ?? "table"
        guard ["table", "json", "yaml"].contains(output) else {
            throw ToolFailure(stderr: "Error: invalid argument \"\(output)\" for \"-o, --output\" flag: invalid format type")
        }
        return try withCluster(p) { state, name in
            let c = state.clusters[name]!
            var states: Set<String> = []
            if p.bool("deployed") { states.insert("deployed") }
            if p.bool("failed") { states.insert("failed") }
            if p.bool("pending") { states.formUnion(["pending-install", "pending-upgrade", "pending-rollback"]) }
            if p.bool("superseded") { states.insert("superseded") }
            if p.bool("uninstalled") { states.insert("uninstalled") }
            if p.bool("uninstalling") { states.insert("uninstalling") }
            // [SRC helm pkg/action/list.go SetStateMask] v3: no state flag → deployed|failed;
            // v4.0.0+: no state flag → every state.
            let all = p.bool("all") || (states.isEmpty && major == 4)
            if states.isEmpty { states = ["deployed", "failed"] }
            let ns = namespace(p)
            let rels = c.releases.values
                .filter { p.bool("all-namespaces") || $0.namespace == ns }
                .compactMap { r -> (HelmRelease, HelmRelease.Revision)? in
                    guard let last = r.revisions.last, all || states.contains(last.status) else { return nil }
                    if let f = p.last("filter"), r.name.range(of: f, options: .regularExpression) == nil { return nil }
                    return (r, last)
                }
                .sorted { $0.0.name < $1.0.name }
            if p.bool("short") {
                if output == "json" { return ToolResult(stdout: JSON.array(rels.map { .string($0.0.name) }).compact() + "\n") }
                return ToolResult(stdout: rels.map { $0.0.name + "\n" }.joined())
            }
            let elements: [JSON] = rels.map { r, v in
                [
                    "name": .string(r.name), "namespace": .string(r.namespace), "revision": .string(String(v.revision)),
                    "updated": .string(goTime(v.updated)), "status": .string(v.status),
                    "chart": .string("\(v.chartName)-\(v.chartVersion)"),
                    "app_version": .string(v.appVersion),
                ]
            }
            switch output {
            case "json":
                let keys = ["name", "namespace", "revision", "updated", "status", "chart", "app_version"]
                let text =
                    "["
                    + elements.map { e in "{" + keys.map { "\(JSON.quote($0)):\(e[$0]!.compact())" }.joined(separator: ",") + "}" }.joined(
                        separator: ",") + "]"
                return ToolResult(stdout: text + "\n")
            case "yaml":
                return ToolResult(stdout: Printer.yaml(.array(elements)))
            default:
                var rows = [["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"]]
                rows += elements.map { e in
                    ["name", "namespace", "revision", "updated", "status", "chart", "app_version"].map { e[$0]?.string ?? "" }
                }
                return ToolResult(
                    stdout: Printer.columns(rows).split(separator: "\n").map { $0.replacingOccurrences(of: "   ", with: " \t") }.joined(
                        separator: "\n") + "\n")
            }
        }
    }

    /// `helm get values RELEASE [-o json|yaml] [--all] [--revision N]`: the user-supplied values
    /// [SRC helm pkg/cmd/get_values.go v4.2.4; cmd/helm/get_values.go v3.21.4]; none → `null`.
    func getValues(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            args, specs: Helm.global + [.value("output", "o"), .value("revision"), .bool("all", "a")], style: .helm)
        guard p.positionals.first == "values" else {
            throw ToolFailure(stderr: "Error: unknown command \"\(p.positionals.first ?? "")\" for \"helm get\"")
        }
        guard p.positionals.count == 2 else {
            throw ToolFailure(stderr: "Error: \"helm get values\" requires 1 argument\n\nUsage:  helm get values RELEASE_NAME [flags]")
        }
        let release = p.positionals[1]
        let output = p.last("output") ?? "table"
        guard ["table", "json", "yaml"].contains(output) else {
            throw ToolFailure(stderr: "Error: invalid argument \"\(output)\" for \"-o, --output\" flag: invalid format type")
        }
        return try withCluster(p) { state, name in
            let c = state.clusters[name]!
            guard let rel = c.releases["\(namespace(p))/\(release)"], let r = rel.revisions.last else {
                throw ToolFailure(stderr: "Error: release: not found")
            }
            let values: JSON = (r.values.object?.isEmpty ?? true) ? .null : r.values
            switch output {
            case "json": return ToolResult(stdout: values.compact() + "\n")
            case "yaml": return ToolResult(stdout: values.isNull ? "null\n" : Printer.yaml(values))
            default: return ToolResult(stdout: "USER-SUPPLIED VALUES:\n" + (values.isNull ? "null\n" : Printer.yaml(values)))
            }
        }
    }

    func status(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            // [SRC helm pkg/cmd/status.go v4.2.4] --show-desc/--show-resources are gone in helm 4.
            args,
            specs: Helm.global + [.value("output", "o"), .value("revision")]
                + (major == 4 ? [] : [.bool("show-desc"), .bool("show-resources")]),
            style: .helm)
        guard p.positionals.count == 1 else {
            throw ToolFailure(stderr: "Error: \"helm status\" requires 1 argument\n\nUsage:  helm status RELEASE_NAME [flags]")
        }
        let release = p.positionals[0]
        return try withCluster(p) { state, name in
            let c = state.clusters[name]!
            guard let rel = c.releases["\(namespace(p))/\(release)"], let r = rel.revisions.last else {
                throw ToolFailure(stderr: "Error: release: not found")
            }
            switch p.last("output") ?? "table" {
            case "json":
                let info =
                    "{\"first_deployed\":\(JSON.quote(rfc3339nano(r.firstDeployed))),\"last_deployed\":\(JSON.quote(rfc3339nano(r.updated))),\"deleted\":\"\",\"description\":\(JSON.quote(r.description)),\"status\":\(JSON.quote(r.status))}"
                let chart =
                    "{\"metadata\":{\"name\":\(JSON.quote(r.chartName)),\"version\":\(JSON.quote(r.chartVersion)),\"appVersion\":\(JSON.quote(r.appVersion)),\"apiVersion\":\"v2\"},\"lock\":null,\"templates\":[],\"values\":{},\"schema\":null,\"files\":[]}"
                let text =
                    "{\"name\":\(JSON.quote(rel.name)),\"info\":\(info),\"chart\":\(chart),\"config\":\(r.values.compact()),\"manifest\":\"\",\"version\":\(r.revision),\"namespace\":\(JSON.quote(rel.namespace))}"
                return ToolResult(stdout: text + "\n")
            case "yaml":
                return ToolResult(
                    stdout: Printer.yaml([
                        "name": .string(rel.name), "namespace": .string(rel.namespace), "version": .int(r.revision),
                        "info": ["status": .string(r.status), "description": .string(r.description)],
                    ]))
            default:
                return ToolResult(stdout: statusBlock(rel, revision: r))
            }
        }
    }

    func uninstall(_ args: [String]) throws -> ToolResult {
        let p = try FlagParser.parse(
            args,
            specs: Helm.global + [
                .bool("ignore-not-found"), .bool("keep-history"), .bool("wait"), .value("timeout"), .bool("dry-run"), .bool("no-hooks"),
                .value("cascade"), .value("description"),
            ], style: .helm)
        _ = try waitFlag(p)  // a strategy in helm 4 (pkg/cmd/uninstall.go v4.2.4 AddWaitFlag)
        guard !p.positionals.isEmpty else {
            throw ToolFailure(
                stderr: "Error: \"helm uninstall\" requires at least 1 argument\n\nUsage:  helm uninstall RELEASE_NAME [...] [flags]")
        }
        return try withCluster(p) { state, name in
            var c = state.clusters[name]!
            defer { state.clusters[name] = c }
            let ns = namespace(p)
            var out = ""
            for release in p.positionals {
                let key = "\(ns)/\(release)"
                guard let rel = c.releases[key], rel.revisions.last?.status != "uninstalled" else {
                    if p.bool("ignore-not-found") { continue }
                    throw ToolFailure(stderr: "Error: uninstall: Release not loaded: \(release): release: not found", stdout: out)
                }
                for t in [ResourceType.deployment, ResourceType.builtins.first { $0.kind == "ServiceAccount" }!] {
                    for o in c.list(t, namespace: ns)
                    where o[path: "metadata", "annotations", "meta.helm.sh/release-name"]?.string == release {
                        c.delete(t, namespace: ns, name: o.name ?? "")
                    }
                }
                if p.bool("keep-history") {
                    var r = rel
                    r.revisions[r.revisions.count - 1].status = "uninstalled"
                    c.releases[key] = r
                } else {
                    c.releases[key] = nil
                }
                out += "release \"\(release)\" uninstalled\n"
            }
            return ToolResult(stdout: out)
        }
    }
}
