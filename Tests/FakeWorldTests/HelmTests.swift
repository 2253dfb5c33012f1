import Foundation
import Testing

@Suite(.needsDocker, .serialized) struct HelmTests {
    @Test func upgradeInstallListStatusUninstall() throws {
        let (w, name) = try clusterWorld("h")
        defer { w.cleanup() }
        let noRepo = w.helm("upgrade", "--install", "x", "nosuchrepo/chart")
        #expect(noRepo.stderr == "Error: repo nosuchrepo not found\n")
        let noNS = w.helm("upgrade", "--install", "vault-operator", operatorChart, "-n", "vault")
        #expect(noNS.code == 1)
        #expect(noNS.stderr == "Error: create: failed to create: namespaces \"vault\" not found\n")
        let noRelease = w.helm("upgrade", "vault-operator", operatorChart, "--version", "1.22.0")
        #expect(noRelease.stderr == "Error: UPGRADE FAILED: \"vault-operator\" has no deployed releases\n")
        let install = w.helm(
            "upgrade", "--install", "vault-operator", operatorChart, "--kube-context", "kind-\(name)",
            "-n", "vault", "--create-namespace", "--version", "1.22.0", "--set", "image.tag=latest", "--wait", "--timeout", "1m")
        #expect(install.code == 0, "\(install)")
        let lines = install.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Release \"vault-operator\" does not exist. Installing it now.")
        #expect(lines[1] == "NAME: vault-operator")
        #expect(lines[2].hasPrefix("LAST DEPLOYED: "))
        #expect(Array(lines[3...]) == ["NAMESPACE: vault", "STATUS: deployed", "REVISION: 1", "TEST SUITE: None", ""])
        let upgrade = w.helm(
            "upgrade", "--install", "vault-operator", operatorChart, "-n", "vault", "--version", "1.22.0", "--set",
            "image.tag=latest")
        #expect(upgrade.stdout.hasPrefix("Release \"vault-operator\" has been upgraded. Happy Helming!\nNAME: vault-operator\n"))
        #expect(upgrade.stdout.contains("\nREVISION: 2\n"))
        let list = w.helm("list", "-A", "-o", "json")
        #expect(list.stdout.hasPrefix("[{\"name\":\"vault-operator\",\"namespace\":\"vault\",\"revision\":\"2\",\"updated\":\""))
        #expect(list.stdout.hasSuffix("\",\"status\":\"deployed\",\"chart\":\"vault-operator-1.22.0\",\"app_version\":\"v1.22.0\"}]\n"))
        #expect(w.helm("list", "-o", "json").stdout == "[]\n")
        let status = w.helm("status", "vault-operator", "-n", "vault", "-o", "json")
        #expect(status.stdout.hasPrefix("{\"name\":\"vault-operator\",\"info\":{"))
        #expect(status.stdout.contains("\"config\":{\"image\":{\"tag\":\"latest\"}}"))
        #expect(status.stdout.hasSuffix(",\"version\":2,\"namespace\":\"vault\"}\n"))
        #expect(w.helm("status", "nope", "-o", "json").stderr == "Error: release: not found\n")
        // The chart made the operator and the Vault CRD.
        #expect(w.kubectl("-n", "vault", "get", "deployment", "vault-operator", "-o", "name").stdout == "deployment.apps/vault-operator\n")
        #expect(
            w.kubectl("get", "crd", "vaults.vault.banzaicloud.com", "-o", "name").stdout
                == "customresourcedefinition.apiextensions.k8s.io/vaults.vault.banzaicloud.com\n")
        #expect(w.helm("uninstall", "vault-operator", "-n", "vault").stdout == "release \"vault-operator\" uninstalled\n")
        let missing = w.helm("uninstall", "vault-operator", "-n", "vault")
        #expect(missing.code == 1)
        #expect(missing.stderr == "Error: uninstall: Release not loaded: vault-operator: release: not found\n")
        let ignored = w.helm("uninstall", "vault-operator", "-n", "vault", "--ignore-not-found")
        #expect(ignored.code == 0)
        // Values on stdin (`-f -`) and a chart from --repo.
        let stdinValues = w.run(
            "helm",
            [
                "upgrade", "--install", "vo2", operatorChart,
                "-n", "ops", "--create-namespace", "-f", "-",
            ], stdin: "image:\n  tag: v9\n")
        #expect(stdinValues.code == 0, "\(stdinValues)")
        #expect(w.helm("status", "vo2", "-n", "ops", "-o", "json").stdout.contains("\"config\":{\"image\":{\"tag\":\"v9\"}}"))
        // An unknown chart installs a release with no objects.
        #expect(w.helm("upgrade", "--install", "other", "vault", "--repo", "https://helm.releases.hashicorp.com").code == 0)
        #expect(w.helm("list", "-o", "json").stdout.contains("\"chart\":\"vault-0.1.0\""))
    }

    @Test func pendingFaultAndWaitTimeout() throws {
        let (w, name) = try clusterWorld("p")
        defer { w.cleanup() }
        w.env["FAKEWORLD_FAULTS"] = "helm-pending:vault-operator"
        let pending = w.helm("upgrade", "--install", "vault-operator", operatorChart)
        #expect(pending.code == 1)
        #expect(pending.stderr == "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n")
        #expect(w.helm("list", "-o", "json").stdout == "[]\n")
        #expect(w.helm("list", "--pending", "-o", "json").stdout.contains("\"status\":\"pending-install\""))
        w.env["FAKEWORLD_FAULTS"] = nil
        #expect(w.helm("uninstall", "vault-operator").code == 0)
        // A crash-looping operator pod: --wait runs out, the release is failed.
        w.env["FAKEWORLD_FAULTS"] = "pod-crashloop:\(name)/vault-operator"
        let timeout = w.helm("upgrade", "--install", "vault-operator", operatorChart, "--wait", "--timeout", "300ms")
        #expect(timeout.code == 1)
        #expect(timeout.stderr == "Error: context deadline exceeded\n")
        #expect(w.helm("list", "-o", "json").stdout.contains("\"status\":\"failed\""))
        let pod = w.kubectl("get", "pods", "-o", "jsonpath={.items[0].status.containerStatuses[0].state.waiting.reason}")
        #expect(pod.stdout == "CrashLoopBackOff")
    }
}
