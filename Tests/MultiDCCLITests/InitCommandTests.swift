import ArgumentParser
import Foundation
import MultiDC
import Testing

@testable import multidc

/// `multidc init` in-process: what it writes and says, its refusals and exit statuses.
@Suite struct InitCommandTests {
    static func directory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("multidc-init-cli-\(UUID().uuidString.prefix(8))/lab").path
    }

    @Test func initWritesAWorkingTopologyAndSaysWhatNext() async throws {
        let dir = Self.directory()
        let result = await CLI.run(["init", dir, "--clusters", "2", "--leader", "dc-2"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(
            result.stdout == """
                wrote \(dir)/spec.yaml, \(dir)/vault-cr.yaml, \(dir)/vault-follower.yaml, \(dir)/rbac.yaml
                topology lab: 2 clusters (dc-1, dc-2), leader dc-2, provider kind
                next: multidc validate \(dir)/spec.yaml && multidc apply \(dir)/spec.yaml

                """)
        #expect(result.stderr.isEmpty)
        let validate = await CLI.run(["validate", dir + "/spec.yaml"])
        #expect(validate.exitCode == 0)
        #expect(validate.stdout == "\(dir)/spec.yaml: valid (topology lab, 2 clusters, leader dc-2)\n")
    }

    @Test func initNeverOverwritesAndWritesNothingThen() async throws {
        let dir = Self.directory()
        #expect(await CLI.run(["init", dir]).exitCode == 0)
        try "edited\n".write(toFile: dir + "/spec.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: dir + "/rbac.yaml")
        let again = await CLI.run(["init", dir, "--clusters", "5"])
        #expect(again.exitCode == 1)
        #expect(again.stdout.isEmpty)
        #expect(
            again.stderr
                == "error: refusing to overwrite \(dir)/spec.yaml, \(dir)/vault-cr.yaml, \(dir)/vault-follower.yaml: they exist; nothing was written\n"
        )
        #expect(try String(contentsOfFile: dir + "/spec.yaml", encoding: .utf8) == "edited\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/rbac.yaml"))
    }

    @Test func badOptionsAreUsageErrors() async {
        let dir = Self.directory()
        for (arguments, message) in [
            (["--clusters", "0"], "--clusters must be at least 1, got 0"),
            (["--names", "east,west", "--leader", "wes"], "--leader 'wes' is not one of the clusters; did you mean 'west'?"),
            (["--names", "east,,west"], "--names: invalid cluster name ''"),
            (["--provider", "existing", "--metallb", "v0.14.9"], "--metallb is for provider kind"),
        ] {
            let result = await CLI.run(["init", dir] + arguments)
            #expect(result.exitCode == ExitCode.validationFailure.rawValue, "\(arguments)")
            #expect(result.stderr.contains("Error: \(message)"), "\(result.stderr)")
            #expect(result.stderr.contains("Usage: multidc init <directory>"), "\(result.stderr)")
        }
        let provider = await CLI.run(["init", dir, "--provider", "cloud"])
        #expect(provider.exitCode == ExitCode.validationFailure.rawValue)
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func theExistingVariantSaysWhatToFillIn() async throws {
        let dir = Self.directory()
        let result = await CLI.run(["init", dir, "--provider", "existing", "--names", "eu,us"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(
            result.stdout.hasSuffix(
                "next: fill in each cluster's context and the KMS's url in \(dir)/spec.yaml (multidc validate \(dir)/spec.yaml names them), export MULTIDC_KMS_TOKEN, then multidc apply \(dir)/spec.yaml\n"
            ))
        let validate = await CLI.run(["validate", dir + "/spec.yaml"])
        #expect(validate.exitCode == 1)
        #expect(validate.stderr.contains("error: `multidc init` left a placeholder here: fill in the kubeconfig context of cluster us\n"))
        #expect(validate.stderr.hasSuffix("3 errors in \(dir)/spec.yaml\n"))
    }
}
