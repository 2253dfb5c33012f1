import Foundation
import Testing

/// A world with one running cluster (current context).
func clusterWorld(_ short: String = "k") throws -> (TestWorld, String) {
    try Engine.requireEngine()
    #expect(Engine.images)
    let w = try TestWorld()
    w.useNetwork()
    let name = w.cluster(short)
    let r = w.createCluster(name)
    if r.code != 0 { w.cleanup() }
    try #require(r.code == 0, "\(r)")
    return (w, name)
}

let svcAndCM = """
    apiVersion: v1
    kind: Service
    metadata:
      name: vault-lb
      namespace: vault
    spec:
      type: LoadBalancer
      ports:
      - port: 8200
    ---
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: cfg
      namespace: vault
    data:
      a: "1"
    """

@Suite(.needsDocker, .serialized) struct KubectlTests {
    @Test func applyLifecycle() throws {
        let (w, _) = try clusterWorld()
        defer { w.cleanup() }
        let noNS = w.kubectl("apply", "-f", "-", stdin: svcAndCM)
        #expect(noNS.code == 1)
        #expect(noNS.stdout == "")
        #expect(
            noNS.stderr
                == "Error from server (NotFound): error when creating \"STDIN\": namespaces \"vault\" not found\nError from server (NotFound): error when creating \"STDIN\": namespaces \"vault\" not found\n"
        )
        let file = w.write("svc.yaml", svcAndCM)
        let noNSFile = w.kubectl("apply", "-f", file)
        #expect(
            noNSFile.stderr.hasPrefix("Error from server (NotFound): error when creating \"\(file)\": namespaces \"vault\" not found\n"))
        #expect(
            w.kubectl("apply", "--validate=false", "-f", "-", stdin: #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"vault"}}"#)
                .stdout == "namespace/vault created\n")
        #expect(w.kubectl("apply", "-f", "-", stdin: svcAndCM).stdout == "service/vault-lb created\nconfigmap/cfg created\n")
        #expect(w.kubectl("apply", "-f", "-", stdin: svcAndCM).stdout == "service/vault-lb unchanged\nconfigmap/cfg unchanged\n")
        let changed = svcAndCM.replacingOccurrences(of: "a: \"1\"", with: "a: \"2\"")
        #expect(w.kubectl("apply", "-f", "-", stdin: changed).stdout == "service/vault-lb unchanged\nconfigmap/cfg configured\n")
        #expect(
            w.kubectl("apply", "--server-side", "-f", "-", stdin: changed).stdout
                == "service/vault-lb serverside-applied\nconfigmap/cfg serverside-applied\n")
        let empty = w.kubectl("apply", "-f", "-", stdin: "")
        #expect(empty.code == 1)
        #expect(empty.stderr == "error: no objects passed to apply\n")
        let list = w.kubectl(
            "apply", "-f", "-",
            stdin:
                #"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x","namespace":"vault"},"spec":{"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"x","image":"y"}]}}}}]}"#
        )
        #expect(list.stdout == "deployment.apps/x created\n")
        let bad = w.kubectl("apply", "-f", "-", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n")
        #expect(bad.code == 1)
        #expect(bad.stderr.hasPrefix("error: error parsing STDIN: error converting YAML to JSON: yaml: line "))
        let noKind = w.kubectl("apply", "-f", "-", stdin: "apiVersion: v1\nmetadata: {name: x}\n")
        #expect(noKind.code == 1)
        #expect(noKind.stderr.hasPrefix("error: unable to decode \"STDIN\": Object 'Kind' is missing in"))
        let crd = w.kubectl(
            "apply", "-f", "-", stdin: "apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p, namespace: vault}\n")
        #expect(crd.code == 1)
        #expect(
            crd.stderr
                == "error: resource mapping not found for name: \"p\" namespace: \"vault\" from \"STDIN\": no matches for kind \"IPAddressPool\" in version \"metallb.io/v1beta1\"\nensure CRDs are installed first\n"
        )
        let url = w.kubectl("apply", "-f", "https://example.com/nothing.yaml")
        #expect(url.code == 1)
        // Objects carry server metadata.
        let cm = w.kubectl("-n", "vault", "get", "configmap", "cfg", "-o", "json")
        #expect(cm.stdout.contains("\"uid\": \""))
        #expect(cm.stdout.contains("\"resourceVersion\": \""))
        #expect(cm.stdout.contains("\"creationTimestamp\": \""))
        #expect(cm.stdout.contains("\"kubectl.kubernetes.io/last-applied-configuration\": "))
    }

    @Test func getFormats() throws {
        let (w, _) = try clusterWorld()
        defer { w.cleanup() }
        _ = w.kubectl("create", "namespace", "vault")
        let secret = w.kubectl("-n", "vault", "create", "secret", "generic", "vault-unseal-keys", "--from-literal=vault-root=s.abcdef")
        #expect(secret.stdout == "secret/vault-unseal-keys created\n")
        let dup = w.kubectl("-n", "vault", "create", "secret", "generic", "vault-unseal-keys", "--from-literal=a=b")
        #expect(dup.code == 1)
        #expect(dup.stderr == "error: failed to create secret secrets \"vault-unseal-keys\" already exists\n")
        let one = w.kubectl("-n", "vault", "get", "secret", "vault-unseal-keys", "-o", "json")
        #expect(
            one.stdout.hasPrefix(
                "{\n    \"apiVersion\": \"v1\",\n    \"data\": {\n        \"vault-root\": \"cy5hYmNkZWY=\"\n    },\n    \"kind\": \"Secret\",\n    \"metadata\": {\n"
            ))
        #expect(one.stdout.hasSuffix("\n    \"type\": \"Opaque\"\n}\n"))
        let list = w.kubectl("-n", "vault", "get", "secrets", "-o", "json")
        #expect(list.stdout.hasPrefix("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n"))
        #expect(
            list.stdout.hasSuffix("    ],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"))
        let emptyList = w.kubectl("-n", "vault", "get", "configmaps", "-o", "json")
        #expect(
            emptyList.stdout
                == "{\n    \"apiVersion\": \"v1\",\n    \"items\": [],\n    \"kind\": \"List\",\n    \"metadata\": {\n        \"resourceVersion\": \"\"\n    }\n}\n"
        )
        #expect(emptyList.stderr == "")
        let none = w.kubectl("-n", "vault", "get", "configmaps")
        #expect(none.stdout == "")
        #expect(none.stderr == "No resources found in vault namespace.\n")
        #expect(
            w.kubectl("-n", "vault", "get", "secret", "vault-unseal-keys", "-o", "jsonpath={.data.vault-root}").stdout == "cy5hYmNkZWY=")
        let missingField = w.kubectl("-n", "vault", "get", "secret", "vault-unseal-keys", "-o", "jsonpath={.spec.nosuch}")
        #expect(missingField.code == 0)
        #expect(missingField.stdout == "")
        _ = w.kubectl("apply", "-f", "-", stdin: svcAndCM)
        let names = w.kubectl("-n", "vault", "get", "service,configmap", "-o", "name")
        #expect(names.stdout == "service/vault-lb\nconfigmap/cfg\n")
        let pending = w.kubectl("-n", "vault", "get", "svc", "vault-lb", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}")
        #expect(pending.code == 0)
        #expect(pending.stdout == "")
        let notFound = w.kubectl("get", "pod", "x")
        #expect(notFound.code == 1)
        #expect(notFound.stderr == "Error from server (NotFound): pods \"x\" not found\n")
        let noNS = w.kubectl("-n", "nope", "get", "pod", "vault-0")
        #expect(noNS.stderr == "Error from server (NotFound): namespaces \"nope\" not found\n")
        let noType = w.kubectl("get", "widgets")
        #expect(noType.stderr == "error: the server doesn't have a resource type \"widgets\"\n")
        #expect(
            w.kubectl("get", "configmaps,vaults.vault.banzaicloud.com", "-A", "-o", "json").stderr
                == "error: the server doesn't have a resource type \"vaults\"\n")
        #expect(w.kubectl("get", "pods").stderr == "No resources found in default namespace.\n")
        // delete.
        #expect(w.kubectl("-n", "vault", "delete", "secret", "vault-unseal-keys").stdout == "secret \"vault-unseal-keys\" deleted\n")
        #expect(
            w.kubectl("-n", "vault", "delete", "secret", "vault-unseal-keys").stderr
                == "Error from server (NotFound): secrets \"vault-unseal-keys\" not found\n")
        let ignored = w.kubectl("-n", "vault", "delete", "secret", "vault-unseal-keys", "--ignore-not-found")
        #expect(ignored.code == 0)
        #expect(ignored.stdout + ignored.stderr == "")
        #expect(w.kubectl("-n", "nope", "delete", "pod", "nope").stderr == "Error from server (NotFound): pods \"nope\" not found\n")
        #expect(w.kubectl("delete", "-f", "-", stdin: svcAndCM).stdout == "service \"vault-lb\" deleted\nconfigmap \"cfg\" deleted\n")
    }

    @Test func waitAndExec() throws {
        let (w, name) = try clusterWorld()
        defer { w.cleanup() }
        w.env["FAKEWORLD_LATENCY"] = "pod-ready=2s"
        let deploy = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: web, image: nginx}, {name: side, image: busybox}]}
            """
        #expect(w.kubectl("apply", "-f", "-", stdin: deploy).stdout == "deployment.apps/web created\n")
        let pod = w.kubectl("get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}").stdout
        #expect(pod.hasPrefix("web-"))
        let zero = w.kubectl("wait", "--for=condition=ready", "pod/\(pod)", "--timeout=0")
        #expect(zero.code == 1)
        #expect(zero.stderr == "error: condition not met for pods/\(pod)\n")
        let short = w.kubectl("wait", "--for=condition=ready", "pod/\(pod)", "--timeout=100ms")
        #expect(short.stderr == "error: timed out waiting for the condition on pods/\(pod)\n")
        let ok = w.kubectl("wait", "--for=condition=Ready", "pod", "-l", "app=web", "--timeout=30s")
        #expect(ok.code == 0, "\(ok)")
        #expect(ok.stdout == "pod/\(pod) condition met\n")
        #expect(w.kubectl("wait", "--for=condition=available", "deployment/web").stdout == "deployment.apps/web condition met\n")
        let nf = w.kubectl("wait", "--for=condition=ready", "pod/nosuch", "--timeout=3s")
        #expect(nf.stderr == "Error from server (NotFound): pods \"nosuch\" not found\n")
        let nomatch = w.kubectl("wait", "--for=condition=ready", "pod", "-l", "app=nothing")
        #expect(nomatch.stderr == "error: no matching resources found\n")
        // exec.
        let echo = w.kubectl("exec", pod, "-c", "web", "--", "echo", "hi")
        #expect(echo.stdout == "hi\n")
        let defaulted = w.kubectl("exec", pod, "--", "true")
        #expect(defaulted.stderr == "Defaulted container \"web\" out of: web, side\n")
        let stdin = w.kubectl("exec", "-i", pod, "-c", "web", "--", "cat", stdin: "piped")
        #expect(stdin.stdout == "piped")
        let rc = w.kubectl("exec", pod, "-c", "web", "--", "sh", "-c", "exit 3")
        #expect(rc.code == 3)
        #expect(rc.stderr == "command terminated with exit code 3\n")
        let badC = w.kubectl("exec", pod, "-c", "nope", "--", "true")
        #expect(badC.stderr == "Error from server (BadRequest): container nope is not valid for pod \(pod)\n")
        let old = w.kubectl("exec", pod, "ls")
        #expect(old.stderr.hasPrefix("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead"))
        #expect(w.kubectl("exec", "nosuch", "--", "true").stderr == "Error from server (NotFound): pods \"nosuch\" not found\n")
        _ = name
    }

    @Test func stoppedControlPlaneRefuses() throws {
        let (w, name) = try clusterWorld()
        defer { w.cleanup() }
        #expect(w.kubectl("get", "ns", "-o", "name").code == 0)
        _ = w.docker("stop", "-t", "1", "\(name)-control-plane")
        let r = w.kubectl("get", "pods")
        #expect(r.code == 1)
        #expect(r.stderr.hasSuffix(" was refused - did you specify the right host or port?\n"))
        #expect(w.helm("list").stderr.hasPrefix("Error: Kubernetes cluster unreachable: Get \"https://127.0.0.1:"))
        _ = w.docker("start", "\(name)-control-plane")
        #expect(w.kubectl("get", "ns", "default", "-o", "name").stdout == "namespace/default\n")
        w.env["FAKEWORLD_FAULTS"] = "apiserver-down:\(name)"
        #expect(w.kubectl("get", "pods").stderr.hasSuffix("was refused - did you specify the right host or port?\n"))
    }

    @Test func parallelAppliesLoseNothing() throws {
        let (w, _) = try clusterWorld()
        defer { w.cleanup() }
        let group = DispatchGroup()
        let results = Results()
        for i in 0..<16 {
            group.enter()
            DispatchQueue.global().async {
                let r = w.kubectl(
                    "apply", "-f", "-", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm\(i)}\ndata: {i: \"\(i)\"}\n")
                results.add(r.code)
                group.leave()
            }
        }
        group.wait()
        #expect(results.codes.count == 16)
        #expect(results.codes.allSatisfy { $0 == 0 })
        let names = w.kubectl("get", "configmaps", "-o", "name").stdout.split(separator: "\n")
        #expect(Set(names) == Set((0..<16).map { Substring("configmap/cm\($0)") }))
        let log = try String(contentsOfFile: w.env["FAKEWORLD_HOME"]! + "/calls.log", encoding: .utf8)
        #expect(log.split(separator: "\n").filter { $0.contains("\"apply\"") }.count == 16)
    }
}

final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var codes: [Int32] = []
    private(set) var stderrs: [String] = []
    func add(_ c: Int32, _ stderr: String = "") { lock.lock(); codes.append(c); stderrs.append(stderr); lock.unlock() }
}

@Suite(.needsDocker, .serialized) struct KubectlStrictnessTests {
    @Test func rolloutAndLabels() throws {
        let (w, _) = try clusterWorld("l")
        defer { w.cleanup() }
        _ = w.kubectl(
            "apply", "-f", "-",
            stdin:
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n"
        )
        #expect(
            w.kubectl("rollout", "status", "deployment/web", "--timeout=30s").stdout.hasSuffix(
                "deployment \"web\" successfully rolled out\n"))
        #expect(w.kubectl("label", "deployment", "web", "team=a").stdout == "deployment.apps/web labeled\n")
        let again = w.kubectl("label", "deployment", "web", "team=b")
        #expect(again.code == 1)
        #expect(again.stderr == "error: 'team' already has a value (a), and --overwrite is false\n")
        #expect(w.kubectl("label", "deployment/web", "team=b", "--overwrite").stdout == "deployment.apps/web labeled\n")
        #expect(w.kubectl("get", "deploy", "-l", "team=b", "-o", "name").stdout == "deployment.apps/web\n")
        #expect(w.kubectl("annotate", "deployment", "web", "note=x").stdout == "deployment.apps/web annotated\n")
    }

    @Test func serverValidation() throws {
        let (w, _) = try clusterWorld("v")
        defer { w.cleanup() }
        let badName = w.kubectl("apply", "-f", "-", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n")
        #expect(badName.code == 1)
        #expect(
            badName.stderr.hasPrefix(
                "The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"))
        let unknown = w.kubectl("apply", "-f", "-", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndta: {}\n")
        #expect(
            unknown.stderr
                == "Error from server (BadRequest): error when creating \"STDIN\": ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"dta\"\n"
        )
        let noType = w.kubectl("get")
        #expect(noType.code == 1)
        #expect(noType.stderr.contains("error: Required resource not specified."))
        let ns = w.kubectl(
            "-n", "other", "apply", "-f", "-", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: default}\n")
        #expect(
            ns.stderr
                == "error: the namespace from the provided object \"default\" does not match the namespace \"other\". You must pass '--namespace=default' to perform this operation.\n"
        )
        let rv = w.kubectl("apply", "-f", "-", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y, resourceVersion: \"12\"}\n")
        #expect(
            rv.stderr
                == "Error from server (InternalError): error when creating \"STDIN\": Internal error occurred: resourceVersion should not be set on objects to be created\n"
        )
        _ = w.kubectl("apply", "-f", "-", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: z}\n")
        let stale = w.kubectl(
            "apply", "-f", "-", stdin: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: z, resourceVersion: \"1\"}\ndata: {a: b}\n")
        #expect(stale.code == 1)
        #expect(
            stale.stderr.hasSuffix(
                "Operation cannot be fulfilled on configmaps \"z\": the object has been modified; please apply your changes to the latest version and try again\n"
            ))
    }
}
