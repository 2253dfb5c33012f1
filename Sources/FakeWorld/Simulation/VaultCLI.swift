import Foundation

/// The vault CLI inside a simulated Vault container: `status`, `operator raft list-peers`,
/// `operator raft remove-peer ID`, `kv get`. The CLI's version is the tag of the container's image
/// (major*100+minor, see Raft.version); the server it talks to is the pod's own Vault (127.0.0.1 /
/// localhost) or a dev-mode KMS container reached over the cluster's docker network.
///
/// Command line [SRC hashicorp/vault command/main.go (setupEnv, RunCustom), command/base_flags.go
/// (FlagSets.Parse, generateFlagWarnings), mitchellh/cli cli.go (processArgs: the longest command
/// prefix)]: `-format` is read anywhere before `--` (a global flag), VAULT_FORMAT otherwise; an
/// unknown format fails `Invalid output format: X` (1). The command's own flags follow Go's flag
/// package: parsing stops at the first positional argument, so a flag after it is an argument
/// (`remove-peer ID -ca-cert=…` has 2 arguments); since Vault 1.12 a table-format command warns
/// `Command flags must be provided before positional arguments. …` on stderr [hashicorp/vault
/// GH-16441, GH-16683]. Undefined flags: `flag provided but not defined: -x` (1).
///
/// TLS [SRC hashicorp/vault api/client.go v1.15.0 DefaultConfig/ReadEnvironment]: VAULT_ADDR
/// defaults to https://127.0.0.1:8200 and the CA to the system roots; the operator sets neither in
/// the `vault` container (only bank-vaults gets withTLSEnv) [SRC bank-vaults/vault-operator
/// pkg/controller/vault/vault_controller.go v1.24.0], so the server certificate (signed by the
/// operator's CA) fails verification unless `-ca-cert=/vault/tls/ca.crt` (or VAULT_CACERT, or
/// -tls-skip-verify / VAULT_SKIP_VERIFY) is given. Plain http to that TLS listener gets Go's 400
/// `Client sent an HTTP request to an HTTPS server.` [SRC golang/go src/net/http/server.go
/// (conn.serve)].
///
/// Token [SRC hashicorp/vault command/base.go v1.15.0 Client(): VAULT_TOKEN from the environment,
/// else the token helper ~/.vault-token, absent in the pod]: there is no token flag; pass it as
/// `kubectl exec -i POD -c vault -- sh -c 'VAULT_TOKEN=$(cat) vault …'` with the token on stdin.
struct CLIExit: Error { var result: ToolResult; init(_ r: ToolResult) { result = r } }

struct VaultCLI {
    let world: World

    enum Command: String {
        case status, kvGet = "kv get", listPeers = "operator raft list-peers", removePeer = "operator raft remove-peer"
    }

    /// The flags each command defines [SRC hashicorp/vault command/base.go flagSet: FlagSetHTTP,
    /// FlagSetOutputFormat, FlagSetOutputField; command/kv_get.go (version, mount: Vault ≥ 1.11),
    /// command/operator_raft_listpeers.go and operator_raft_remove_peer.go (dr-token)].
    static func flags(_ c: Command, version: Int) -> (strings: Set<String>, bools: Set<String>) {
        var strings: Set<String> = [
            "address", "agent-address", "ca-cert", "ca-path", "client-cert", "client-key", "namespace", "tls-server-name", "wrap-ttl",
            "mfa", "header", "unlock-key", "format",
        ]
        let bools: Set<String> = [
            "tls-skip-verify", "disable-redirects", "policy-override", "non-interactive", "output-curl-string", "output-policy",
        ]
        switch c {
        case .status: break
        case .listPeers, .removePeer: strings.insert("dr-token")
        case .kvGet:
            strings.formUnion(["field", "version"])
            if version >= 111 { strings.insert("mount") }
        }
        return (strings, bools)
    }

    /// Go's flag.FlagSet.Parse (ContinueOnError): values by name (last wins) and the arguments left.
    static func parseFlags(_ args: [String], strings: Set<String>, bools: Set<String>) -> Result<([String: String], [String]), CLIExit> {
        var values: [String: String] = [:]
        var i = 0
        func fail(_ m: String) -> Result<([String: String], [String]), CLIExit> { .failure(CLIExit(ToolResult(stderr: m + "\n", code: 1))) }
        while i < args.count {
            let s = args[i]
            guard s.count >= 2, s.hasPrefix("-") else { break }
            var name = String(s.dropFirst())
            if name.hasPrefix("-") {
                name.removeFirst()
                if name.isEmpty {
                    i += 1
                    break  // "--" ends the flags
                }
            }
            guard let f = name.first, f != "-", f != "=" else { return fail("bad flag syntax: \(s)") }
            var value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            i += 1
            if bools.contains(name) {
                let v = value ?? "true"
                guard ["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"].contains(v) else {
                    return fail("invalid boolean value \"\(v)\" for -\(name): parse error")
                }
                values[name] = v
            } else if strings.contains(name) {
                if value == nil {
                    guard i < args.count else { return fail("flag needs an argument: -\(name)") }
                    value = args[i]
                    i += 1
                }
                if name == "version", Int(value!) == nil { return fail("invalid value \"\(value!)\" for flag -\(name): parse error") }
                values[name] = value
            } else {
                return fail("flag provided but not defined: -\(name)")
            }
        }
        return .success((values, Array(args[i...])))
    }

    /// The server address, split the way the CLI dials it.
    struct Target {
        var scheme: String
        var host: String
        var port: Int
        var hostPort: String
        var isOwn: Bool { host == "127.0.0.1" || host == "localhost" }
        func url(_ path: String) -> String { "\(scheme)://\(hostPort)\(path)" }

        init(_ address: String) {
            var rest = address[...]
            if let r = address.range(of: "://") {
                scheme = String(address[..<r.lowerBound]).lowercased()
                rest = address[r.upperBound...]
            } else {
                scheme = ""
            }
            hostPort = String(rest.prefix { $0 != "/" })
            if let colon = hostPort.lastIndex(of: ":"), let p = Int(hostPort[hostPort.index(after: colon)...]) {
                host = String(hostPort[..<colon])
                port = p
            } else {
                host = hostPort
                port = scheme == "http" ? 80 : 443
            }
        }
    }

    func run(_ args: [String], env: [String: String], pod: JSON, container: String, cluster: String, state: inout WorldState) -> ToolResult
    {
        let ct = (pod[path: "spec", "containers"]?.array ?? []).first { $0["name"]?.string == container } ?? .object([:])
        let image = ct["image"]?.string ?? "hashicorp/vault:1.15.0"
        let version = Raft.version(image: image)
        // setupEnv: -format=X / -format X anywhere before "--".
        var format = env["VAULT_FORMAT"].flatMap { $0.isEmpty ? nil : $0 } ?? "table"
        var k = 0
        while k < args.count, args[k] != "--" {
            let a = args[k]
            for p in ["-format=", "--format="] where a.hasPrefix(p) { format = String(a.dropFirst(p.count)) }
            if (a == "-format" || a == "--format"), k + 1 < args.count {
                format = args[k + 1]
                k += 1
            }
            k += 1
        }
        format = format.lowercased()
        guard ["json", "table", "yaml", "yml", "pretty", "raw"].contains(format) else {
            return ToolResult(stderr: "Invalid output format: \(format)\n", code: 1)
        }
        // mitchellh/cli: the longest prefix of the words from the first non-flag argument.
        guard let start = args.firstIndex(where: { !$0.hasPrefix("-") }),
            let cmd = [Command.listPeers, .removePeer, .kvGet, .status].first(where: { c in
                let words = c.rawValue.split(separator: " ").map(String.init)
                return args.count - start >= words.count && Array(args[start..<(start + words.count)]) == words
            })
        else { return ToolResult(stderr: "Usage: vault <command> [args]\n", code: 127) }
        let rest = Array(args[(start + cmd.rawValue.split(separator: " ").count)...])
        let spec = VaultCLI.flags(cmd, version: version)
        var warning = ""
        let flags: [String: String]
        let positional: [String]
        switch VaultCLI.parseFlags(rest, strings: spec.strings, bools: spec.bools) {
        case .failure(let e): return e.result
        case .success(let (f, p)):
            (flags, positional) = (f, p)
        }
        if version >= 112, format == "table" {
            let globals: Set<String> = ["format", "detailed", "output-curl-string", "output-policy"]
            let trailing = positional.filter { a in
                guard a.hasPrefix("-"), a != "-" else { return false }
                let name = a.drop { $0 == "-" }.prefix { $0 != "=" }
                return !globals.contains(String(name))
            }
            if !trailing.isEmpty {
                warning =
                    "Command flags must be provided before positional arguments. The following arguments will not be parsed as flags: [\(trailing.joined(separator: ","))]\n"
            }
        }
        func finish(_ r: ToolResult) -> ToolResult { ToolResult(stdout: r.stdout, stderr: warning + r.stderr, code: r.code) }
        if format == "raw" { return finish(ToolResult(stderr: "This command does not support the -format=raw option.\n", code: 1)) }
        if ["yaml", "yml", "pretty"].contains(format) {
            return finish(ToolResult(stderr: "fakeworld: the world's vault CLI does not render -format=\(format)\n", code: 1))
        }
        let request = Request(
            cli: self, cmd: cmd, version: version, format: format, flags: flags, env: env, pod: pod, container: ct, cluster: cluster)
        switch cmd {
        case .status:
            // [SRC hashicorp/vault command/status.go: "Too many arguments (expected 0, got N)"]
            guard positional.isEmpty else {
                return finish(ToolResult(stderr: "Too many arguments (expected 0, got \(positional.count))\n", code: 1))
            }
            return finish(request.server(positional: positional, state: &state))
        case .listPeers:
            return finish(request.server(positional: positional, state: &state))
        case .removePeer:
            guard positional.count == 1 else {
                return finish(ToolResult(stderr: "Incorrect arguments (expected 1, got \(positional.count))\n", code: 1))
            }
            guard !positional[0].trimmingCharacters(in: .whitespaces).isEmpty else {
                return finish(ToolResult(stderr: "Server id is required\n", code: 1))
            }
            return finish(request.server(positional: positional, state: &state))
        case .kvGet:
            guard positional.count == 1 else {
                let msg =
                    positional.isEmpty
                    ? "Not enough arguments (expected 1, got 0)" : "Too many arguments (expected 1, got \(positional.count))"
                return finish(ToolResult(stderr: msg + "\n", code: 1))
            }
            return finish(request.kvGet(positional[0], state: &state))
        }
    }

    /// One parsed invocation on its way to a server.
    struct Request {
        let cli: VaultCLI
        let cmd: Command
        let version: Int
        let format: String
        let flags: [String: String]
        let env: [String: String]
        let pod: JSON
        let container: JSON
        let cluster: String

        var address: String { flags["address"] ?? env["VAULT_ADDR"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://127.0.0.1:8200" }
        var token: String? { env["VAULT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 } }
        var caCert: String? { flags["ca-cert"] ?? env["VAULT_CACERT"].flatMap { $0.isEmpty ? nil : $0 } }
        var skipVerify: Bool {
            if let f = flags["tls-skip-verify"] { return ["1", "t", "T", "TRUE", "true", "True"].contains(f) }
            return ["1", "true", "t", "TRUE", "True"].contains(env["VAULT_SKIP_VERIFY"] ?? "")
        }

        /// What the command prints before an API error, and its exit code then.
        var what: (String, Int32) {
            switch cmd {
            case .status: return ("Error checking seal status", 1)
            case .listPeers: return ("Error reading the raft cluster configuration", 2)
            case .removePeer: return ("Error removing the peer from raft cluster", 2)
            case .kvGet: return ("", 2)
            }
        }

        static func apiError(_ method: String, _ url: String, _ code: Int, _ errors: String) -> String {
            "Error making API request.\n\nURL: \(method) \(url)\nCode: \(code). Errors:\n\n* \(errors)"
        }

        /// Go's *url.Error: `Get "URL": …`.
        static func transport(_ method: String, _ url: String, _ err: String) -> String {
            "\(method.prefix(1))\(method.dropFirst().lowercased()) \(JSON.quote(url, htmlSafe: false)): \(err)"
        }

        /// The first request of the command reaches its server, or the error text the CLI prints
        /// (without the command's prefix). `own` is the pod's listener; `kms` a dev-mode Vault.
        enum Server {
            case own
            case kms(KMS.Located, image: String, env: [String])
        }

        func connect(_ method: String, _ path: String, state: WorldState) -> Result<Server, CLIExit> {
            let t = Target(address)
            let url = t.url(path)
            func fail(_ text: String) -> Result<Server, CLIExit> {
                let (what, code) = self.what
                return .failure(CLIExit(ToolResult(stderr: (what.isEmpty ? "" : what + ": ") + text + "\n", code: code)))
            }
            guard t.scheme == "http" || t.scheme == "https" else {
                return fail(Request.transport(method, url, "unsupported protocol scheme \(JSON.quote(t.scheme, htmlSafe: false))"))
            }
            if t.isOwn {
                guard let c = state.clusters[cluster], let node = VaultCLI.node(c, pod), node.podUID == pod.uid, t.port == 8200 else {
                    return fail(
                        Request.transport(
                            method, url, "dial tcp \(t.host == "localhost" ? "127.0.0.1" : t.host):\(t.port): connect: connection refused"))
                }
                if t.scheme == "http" {
                    return fail(
                        "Error making API request.\n\nURL: \(method) \(url)\nCode: 400. Raw Message:\n\nClient sent an HTTP request to an HTTPS server.\n"
                    )
                }
                if !skipVerify {
                    let cr = pod.labels["vault_cr"] ?? ""
                    let ownCA = c.get(.secret, namespace: pod.namespace, name: "\(cr)-tls")?[path: "data", "ca.crt"]?.string
                    if let file = caCert {
                        guard let content = Raft.secretFile(c, pod: pod, container: container, path: file) else {
                            let (_, code) = what
                            return .failure(
                                CLIExit(
                                    ToolResult(stderr: "Error initializing client: open \(file): no such file or directory\n", code: code)))
                        }
                        if content != ownCA {
                            return fail(
                                Request.transport(
                                    method, url, "tls: failed to verify certificate: x509: certificate signed by unknown authority"))
                        }
                    } else {
                        return fail(
                            Request.transport(
                                method, url, "tls: failed to verify certificate: x509: certificate signed by unknown authority"))
                    }
                }
                return .success(.own)
            }
            // Another Vault pod's Service address is not modelled (only its own listener and the KMS).
            for (_, c) in state.clusters {
                for svc in c.list(.service, namespace: nil)
                where svc.labels["vault_cr"] != nil || c.vaults["\(svc.namespace ?? "")/\(svc.name ?? "")"] != nil {
                    if VaultOperator.lbAddress(svc) == t.host {
                        return fail(
                            "fakeworld: the world's vault CLI reaches its own listener and dev-mode KMS containers, not the Vault at \(t.host)"
                        )
                    }
                }
            }
            guard let c = state.clusters[cluster] else { return fail(Request.transport(method, url, "dial tcp: no route")) }
            switch KMS(docker: cli.world.docker).reach(host: t.host, port: t.port, network: c.network) {
            case .unreachable(let e), .refused(let e):
                return fail(Request.transport(method, url, e))
            case .devVault(let located, let image, let cenv, let container):
                // A dev server listens on plain HTTP (unless it stands in for an external TLS Vault:
                // KMS.publicTLSLabel); the wrong scheme fails as Go's client reports it.
                if let problem = KMS.schemeProblem(t.scheme, container: container) {
                    return fail(Request.transport(method, url, problem))
                }
                return .success(.kms(located, image: image, env: cenv))
            }
        }

        /// status, list-peers, remove-peer: the server's answer.
        func server(positional: [String], state: inout WorldState) -> ToolResult {
            let (method, path): (String, String) =
                switch cmd {
                case .status: ("GET", "/v1/sys/seal-status")
                case .listPeers: ("GET", "/v1/sys/storage/raft/configuration")
                default: ("POST", "/v1/sys/storage/raft/remove-peer")
                }
            let (what, code) = self.what
            let server: Server
            switch connect(method, path, state: state) {
            case .failure(let e): return e.result
            case .success(let s): server = s
            }
            let url = Target(address).url(path)
            if case .kms(let kms, _, let kenv) = server {
                guard cmd != .status else {
                    return ToolResult(stderr: "fakeworld: the world's vault CLI does not model `vault status` against the KMS\n", code: 1)
                }
                guard let token, kenv.contains("VAULT_DEV_ROOT_TOKEN_ID=\(token)") else {
                    return ToolResult(stderr: "\(what): \(Request.apiError(method, url, 403, "permission denied"))\n", code: code)
                }
                KMS.forgetIfRestarted(&state, kms)
                // A dev server stores in memory, not Raft [SRC hashicorp/vault vault/logical_system_raft.go
                // handleRaftConfigurationGet: "raft storage is not in use", ErrInvalidRequest → 400].
                return ToolResult(stderr: "\(what): \(Request.apiError(method, url, 400, "raft storage is not in use"))\n", code: code)
            }
            let c = state.clusters[cluster]!
            let node = VaultCLI.node(c, pod)!
            let storage = c.volumes[node.storageKey]
            let raft = storage?.raftID.flatMap { state.raft[$0] }
            let tag = (container["image"]?.string ?? "").split(separator: ":").last.map(String.init) ?? "1.15.0"
            if cmd == .status {
                return cli.status(node: node, storage: storage, raft: raft, version: tag, format: format, state: state)
            }
            if node.sealed {
                return ToolResult(stderr: "\(what): \(Request.apiError(method, url, 503, "Vault is sealed"))\n", code: code)
            }
            guard let raft, let token,
                Data(base64Encoded: raft.keys[BankVaultsKeys.root] ?? "").map({ String(decoding: $0, as: UTF8.self) }) == token
            else {
                return ToolResult(stderr: "\(what): \(Request.apiError(method, url, 403, "permission denied"))\n", code: code)
            }
            guard Raft.leader(state, raft) != nil else {
                // A standby with no active node cannot forward [SRC hashicorp/vault http/handler.go
                // handleRequestForwarding]: 500.
                return ToolResult(
                    stderr: "\(what): \(Request.apiError(method, url, 500, "local node not active but active cluster node not found"))\n",
                    code: code)
            }
            if cmd == .removePeer {
                // Vault ≥ 1.7 removes through raft-autopilot, which ignores an id not in the
                // configuration [SRC hashicorp/raft-autopilot raft.go RemoveServer: "only remove servers
                // currently in the configuration"; hashicorp/vault physical/raft/raft.go RemovePeer];
                // before, raft.RemoveServer of an unknown id commits an unchanged configuration
                // [SRC hashicorp/raft configuration.go nextConfiguration]. Either way: success.
                let id = positional[0].trimmingCharacters(in: .whitespaces)
                if var r = state.raft[raft.id] {
                    let before = r.members.count
                    r.members.removeAll { $0.nodeID == id }
                    if r.members.count != before { r.index += 2 } else if version < 107 { r.index += 1 }
                    state.raft[raft.id] = r
                }
                return ToolResult(stdout: "Peer removed successfully!\n")
            }
            return cli.listPeers(raft: raft, format: format, serverVersion: version, state: state)
        }

        /// `vault kv get [-mount=M] [-field=F] PATH` [SRC hashicorp/vault command/kv_get.go,
        /// command/kv_helpers.go (kvPreflightVersionRequest, isKVv2, addPrefixToKVPath,
        /// kvReadRequest), command/util.go (PrintRawField, PrintRaw) at main (2025, with -clipboard);
        /// the same flow since 1.11]: a preflight `GET sys/internal/ui/mounts/<mount or path>` finds
        /// the mount and its KV version (with -mount as well), then `GET <mount>/data/<path>`.
        func kvGet(_ arg: String, state: inout WorldState) -> ToolResult {
            let mount = flags["mount"].flatMap { $0.isEmpty ? nil : VaultCLI.sanitize($0) }
            var partial = arg.hasPrefix("/") ? String(arg.dropFirst()) : arg
            let preflightPath = mount ?? partial
            let preflight = "/v1/sys/internal/ui/mounts/" + preflightPath
            // The server's sanitizeMountPath: a trailing "/", no leading one.
            var mountArg = preflightPath.hasSuffix("/") ? preflightPath : preflightPath + "/"
            if mountArg.hasPrefix("/") { mountArg.removeFirst() }
            let url = Target(address).url(preflight)
            let server: Server
            switch connect("GET", preflight, state: state) {
            case .failure(let e): return e.result
            case .success(let s): server = s
            }
            // The preflight: 403 without a valid token; sys/internal/ui/mounts answers the matching mount,
            // or 403 "preflight capability check returned 403…" when none matches [SRC hashicorp/vault
            // vault/logical_system.go pathInternalUIMountRead].
            let denied = ToolResult(stderr: Request.apiError("GET", url, 403, "permission denied") + "\n", code: 2)
            let noMount = ToolResult(
                stderr: Request.apiError(
                    "GET", url, 403,
                    "preflight capability check returned 403, please ensure client's policies grant access to path \(JSON.quote(mountArg, htmlSafe: false))"
                ) + "\n", code: 2)
            switch server {
            case .own:
                // The pod's Vault: Bank-Vaults mounts no KV engine there by default.
                let c = state.clusters[cluster]!
                let node = VaultCLI.node(c, pod)!
                if node.sealed { return ToolResult(stderr: Request.apiError("GET", url, 503, "Vault is sealed") + "\n", code: 2) }
                let raft = c.volumes[node.storageKey]?.raftID.flatMap { state.raft[$0] }
                guard let raft, let token,
                    Data(base64Encoded: raft.keys[BankVaultsKeys.root] ?? "").map({ String(decoding: $0, as: UTF8.self) }) == token
                else { return denied }
                return noMount
            case .kms(let kms, let image, let kenv):
                guard let token, kenv.contains("VAULT_DEV_ROOT_TOKEN_ID=\(token)") else { return denied }
                KMS.forgetIfRestarted(&state, kms)
                // A dev server mounts kv v2 at secret/ [SRC hashicorp/vault vault/core.go / command/server.go
                // `-dev`: "secret/" kv version 2], and cubbyhole/, identity/, sys/ (not KV v2).
                let first = mountArg.split(separator: "/").first.map(String.init) ?? ""
                guard ["secret", "cubbyhole", "identity", "sys"].contains(first) else { return noMount }
                let mountPath = first + "/"
                let v2 = first == "secret"
                if mount != nil, v2 { partial = VaultCLI.join([mountPath, partial]) }
                let full: String
                if v2 {
                    full = VaultCLI.addPrefixToKVPath(partial, mountPath: mountPath, apiPrefix: "data")
                } else {
                    full = mount != nil ? VaultCLI.join([mountPath, partial]) : partial
                }
                let serverVersion = Raft.version(image: image)
                // Bank-Vaults writes each key once: version 1 is the only one [SRC bank-vaults/bank-vaults@bf7498d6
                // pkg/kv/vault/vault.go Set]; `-version=N` (N > 1) reads nothing.
                let wanted = flags["version"].flatMap { Int($0) } ?? 0
                guard v2, wanted <= 1, let data = state.kms[kms.id]?[full] else {
                    return ToolResult(stderr: "No value found at \(full)\n", code: 2)
                }
                return cli.printKV(
                    data: data, path: full, field: flags["field"], format: format, cliVersion: version, serverVersion: serverVersion,
                    created: kms.startedAt)
            }
        }
    }

    /// The Vault node whose pod this is.
    static func node(_ c: ClusterState, _ pod: JSON) -> VaultNode? {
        guard let cr = pod.labels["vault_cr"], let node = c.vaults["\(pod.namespace ?? "")/\(cr)"], node.podUID == pod.uid else {
            return nil
        }
        return node
    }

    /// sanitizePath: trims spaces and leading/trailing slashes [SRC command/kv_helpers.go].
    static func sanitize(_ s: String) -> String {
        var t = s.trimmingCharacters(in: .whitespaces)[...]
        while t.hasPrefix("/") { t = t.dropFirst() }
        while t.hasSuffix("/") { t = t.dropLast() }
        return String(t)
    }

    /// Go's path.Join: the non-empty elements joined by "/", then cleaned.
    static func join(_ parts: [String]) -> String {
        let joined = parts.filter { !$0.isEmpty }.joined(separator: "/")
        guard !joined.isEmpty else { return "" }
        var out: [Substring] = []
        for seg in joined.split(separator: "/", omittingEmptySubsequences: true) {
            if seg == "." { continue }
            if seg == "..", let last = out.last, last != ".." {
                out.removeLast()
                continue
            }
            out.append(seg)
        }
        return (joined.hasPrefix("/") ? "/" : "") + out.joined(separator: "/")
    }

    /// addPrefixToKVPath [SRC hashicorp/vault command/kv_helpers.go].
    static func addPrefixToKVPath(_ p: String, mountPath: String, apiPrefix: String) -> String {
        if p == mountPath || p == String(mountPath.dropLast(mountPath.hasSuffix("/") ? 1 : 0)) { return join([mountPath, apiPrefix]) }
        var mount = mountPath
        var tp = p.hasPrefix(mount) ? String(p.dropFirst(mount.count)) : p
        while tp == p {
            let parts = mount.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count > 1, !parts[1].isEmpty else { break }
            mount = String(parts[1]).hasSuffix("/") ? String(parts[1].dropLast()) : String(parts[1])
            tp = tp.hasPrefix(mount) ? String(tp.dropFirst(mount.count)) : tp
        }
        return join([mount, apiPrefix, tp])
    }

    /// A KV v2 secret as `kv get` prints it. `-field`: the raw value with no newline (stdout is never
    /// a terminal here: fatih/color's NoColor) [SRC command/util.go PrintRaw]; a missing field:
    /// `Field "x" not present in secret` (1).
    func printKV(
        data: [String: String], path: String, field: String?, format: String, cliVersion: Int, serverVersion: Int, created: String
    ) -> ToolResult {
        if let field {
            let value: String?
            if field == "data" {
                value = data["data"] ?? "map[" + data.keys.sorted().map { "\($0):\(data[$0]!)" }.joined(separator: " ") + "]"
            } else {
                value = data[field]
            }
            guard let value else {
                return ToolResult(stderr: "Field \(JSON.quote(field, htmlSafe: false)) not present in secret\n", code: 1)
            }
            return ToolResult(stdout: format == "json" ? JSON.string(value).pretty(indent: "  ") : value)
        }
        var metadata: [String: JSON] = [
            "created_time": .string(created), "deletion_time": "", "destroyed": false, "version": 1,
        ]
        if serverVersion >= 109 { metadata["custom_metadata"] = .null }  // KV v2 custom metadata: Vault 1.9
        let body: [String: JSON] = ["data": .object(data.mapValues { .string($0) }), "metadata": .object(metadata)]
        if format == "json" {
            var f: [(String, JSON)] = [
                ("request_id", .string(newUID())), ("lease_id", ""), ("lease_duration", 0), ("renewable", false), ("data", .object(body)),
                ("warnings", .null),
            ]
            // api.Secret.MountType (omitempty): the server sends it since hashicorp/vault GH-23047 (1.16).
            if serverVersion >= 116 { f.append(("mount_type", "kv")) }
            return ToolResult(stdout: orderedJSON(f) + "\n")
        }
        // Table [SRC command/kv_get.go, kv_helpers.go (outputPath, getHeaderForMap, padEqualSigns),
        // command/format.go (TableFormatter.OutputMap: sorted keys, columnize Empty "n/a")].
        func header(_ title: String, _ total: Int) -> String {
            var eq = total - (title.count + 2)
            if eq <= 0 { eq = 4 }
            if eq % 2 != 0 { eq += 1 }
            return String(repeating: "=", count: eq / 2) + " " + title + " " + String(repeating: "=", count: eq / 2)
        }
        func table(_ m: [String: String]) -> String {
            Printer.columns(
                [["Key", "Value"], ["---", "-----"]] + m.keys.sorted().map { [$0, m[$0]!.isEmpty ? "n/a" : m[$0]!] }, gap: 4)
        }
        var out = ""
        if cliVersion >= 111 { out += header("Secret Path", path.count) + "\n" + path + "\n\n" }
        var meta = ["created_time": created, "deletion_time": "", "destroyed": "false", "version": "1"]
        if serverVersion >= 109 { meta["custom_metadata"] = "<nil>" }
        out += header("Metadata", (meta.keys.map(\.count).max() ?? 0) + 9) + "\n" + table(meta) + "\n"
        out += header("Data", (data.keys.map(\.count).max() ?? 0) + 9) + "\n" + table(data)
        return ToolResult(stdout: out)
    }

    func status(
        node: VaultNode, storage: RaftStorage?, raft: RaftCluster?, version: String, format: String, state: WorldState
    )
        -> ToolResult
    {
        let initialized = storage?.initialized ?? false
        var f: [(String, JSON)] = [
            ("type", "shamir"), ("initialized", .bool(initialized)), ("sealed", .bool(node.sealed)),
            ("t", .int(initialized ? BankVaultsKeys.threshold : 0)), ("n", .int(initialized ? BankVaultsKeys.shares : 0)),
            ("progress", 0), ("nonce", ""), ("version", .string(version)), ("build_date", "2021-01-22T16:01:25Z"), ("migration", false),
        ]
        let unsealed = !node.sealed
        if unsealed, let raft {
            f += [("cluster_name", .string(raft.clusterName)), ("cluster_id", .string(raft.id))]
        }
        f += [("recovery_seal", false), ("storage_type", "raft"), ("ha_enabled", true)]
        let leader = raft.flatMap { Raft.leader(state, $0) }
        let isLeader = leader != nil && leader?.nodeID == storage?.nodeID
        if unsealed, let raft {
            if isLeader { f.append(("is_self", true)) }
            let active = isLeader ? node.activeSince.map(rfc3339nano) ?? "0001-01-01T00:00:00Z" : "0001-01-01T00:00:00Z"
            f.append(("active_time", .string(active)))
            if let leader {
                let host = leader.address.split(separator: ":").first.map(String.init) ?? leader.address
                f.append(("leader_address", .string("https://\(host):8200")))
                f.append(("leader_cluster_address", .string("https://\(host):8201")))
            }
            f += [("raft_committed_index", .int(raft.index)), ("raft_applied_index", .int(raft.index))]
        } else {
            f.append(("active_time", "0001-01-01T00:00:00Z"))
        }
        let code: Int32 = node.sealed ? 2 : 0
        if format == "json" { return ToolResult(stdout: orderedJSON(f) + "\n", code: code) }
        var rows: [[String]] = [["Key", "Value"], ["---", "-----"]]
        let labels = [
            "type": "Seal Type", "initialized": "Initialized", "sealed": "Sealed", "t": "Threshold", "n": "Total Shares",
            "progress": "Unseal Progress", "nonce": "Unseal Nonce", "version": "Version", "build_date": "Build Date",
            "storage_type": "Storage Type", "cluster_name": "Cluster Name", "cluster_id": "Cluster ID", "ha_enabled": "HA Enabled",
            "raft_committed_index": "Raft Committed Index", "raft_applied_index": "Raft Applied Index", "active_time": "Active Since",
        ]
        for (k, v) in f { if let l = labels[k] { rows.append([l, v.scalarText ?? ""]) } }
        if unsealed, raft != nil { rows.append(["HA Mode", isLeader ? "active" : "standby"]) }
        return ToolResult(stdout: Printer.columns(rows, gap: 4), code: code)
    }

    /// `operator raft list-peers` [SRC hashicorp/vault command/operator_raft_listpeers.go;
    /// physical/raft/raft.go (RaftServer: node_id, address, leader, protocol_version, voter;
    /// RaftConfigurationResponse: servers, index; GetConfiguration: leader = the answering active node,
    /// protocol_version = raft.ProtocolVersionMax "3"); api/secret.go (Secret: request_id, lease_id,
    /// lease_duration, renewable, data, warnings, mount_type omitempty)]. JSON: the api.Secret with
    /// `data` a map (sorted keys), 2-space indent.
    func listPeers(raft: RaftCluster, format: String, serverVersion: Int, state: WorldState) -> ToolResult {
        let leader = Raft.leader(state, raft)
        let servers: [JSON] = raft.members.map { m in
            [
                "address": .string(m.address), "leader": .bool(m.nodeID == leader?.nodeID), "node_id": .string(m.nodeID),
                "protocol_version": "3", "voter": true,
            ]
        }
        if format == "json" {
            var f: [(String, JSON)] = [
                ("request_id", .string(newUID())), ("lease_id", ""), ("lease_duration", 0), ("renewable", false),
                ("data", ["config": ["index": .int(raft.index), "servers": .array(servers)]]), ("warnings", .null),
            ]
            // The server sets the response's mount_type since hashicorp/vault GH-23047 (1.16); sys/ is "system".
            if serverVersion >= 116 { f.append(("mount_type", "system")) }
            return ToolResult(stdout: orderedJSON(f) + "\n")
        }
        var rows = [["Node", "Address", "State", "Voter"], ["----", "-------", "-----", "-----"]]
        for s in servers {
            rows.append([s["node_id"]?.string ?? "", s["address"]?.string ?? "", s["leader"]?.bool == true ? "leader" : "follower", "true"])
        }
        return ToolResult(stdout: Printer.columns(rows, gap: 4))
    }
}

/// json.MarshalIndent(struct, "", "  "): fields in declaration order, 2-space indent.
func orderedJSON(_ fields: [(String, JSON)]) -> String {
    "{\n" + fields.map { "  \(JSON.quote($0.0)): \($0.1.pretty(indent: "  ", level: 1))" }.joined(separator: ",\n") + "\n}"
}

func rfc3339nano(_ t: Double) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date(timeIntervalSince1970: t))
}
