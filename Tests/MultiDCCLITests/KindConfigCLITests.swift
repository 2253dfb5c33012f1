import Foundation
import MultiDC
import MultiDCTestSupport
import Synchronization
import Testing

@testable import multidc

/// `kindConfig` at the command line: `validate` names every field kind would refuse with its
/// position, and `apply` hands kind the fields in its own config.
@Suite struct KindConfigCLITests {
    static func spec(name: String, kindConfig: String) -> String {
        CLIFixture.specText(name: name).replacingOccurrences(
            of: "  nodeImage: kindest/node:v1.19.1\n", with: "  nodeImage: kindest/node:v1.19.1\n  kindConfig:\n\(kindConfig)")
    }

    @Test func validateNamesWhatKindWouldRefuseWithItsPosition() async throws {
        let spec = try CLIFixture.write(
            Self.spec(
                name: "kc-bad",
                kindConfig: """
                        networking: { disableDefaultCNI: true }
                        controlPlane:
                          extraPortMappings:
                            - { containerPort: 80, protocol: tcp, nOtAReaLFielD: 1 }
                            - { containerPort: 81, hostPort: 8080 }

                    """))
        let text = await CLI.run(["validate", spec.path])
        #expect(text.exitCode == 1)
        #expect(
            text.stderr.contains(
                "\(spec.path):9:5: error: unknown key 'networking'; kind's 'networking' is not passed through by multidc; passed through are featureGates, kubeadmConfigPatches, containerdConfigPatches, controlPlane, workers\n"
            ), "\(text.stderr)")
        #expect(text.stderr.contains("\(spec.path):12:42: error: unknown port mapping protocol 'tcp'; did you mean 'TCP'?\n"))
        #expect(
            text.stderr.contains(
                "\(spec.path):12:47: error: unknown key 'nOtAReaLFielD'; allowed keys in spec.kindConfig.controlPlane.extraPortMappings[0] are containerPort, hostPort, listenAddress, protocol\n"
            ))
        // A fixed host port for every cluster's control plane: docker binds it once.
        #expect(
            text.stderr.contains(
                "\(spec.path):13:11: error: host port 0.0.0.0:8080/TCP of node secondary-control-plane is already published by node primary-control-plane"
            ))
        #expect(text.stderr.hasSuffix("4 errors in \(spec.path)\n"))
        let json = await CLI.run(["validate", spec.path, "-o", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let errors = try #require(report["errors"] as? [[String: Any]])
        #expect(errors.map { "\($0["line"] ?? ""):\($0["column"] ?? "")" } == ["9:5", "12:42", "12:47", "13:11"])
    }

    @Test func applyHandsKindTheFieldsInItsOwnConfig() async throws {
        let spec = try CLIFixture.write(
            Self.spec(
                name: "kc-" + UUID().uuidString.prefix(6).lowercased(),
                kindConfig: """
                        featureGates: { InPlacePodVerticalScaling: true }
                        controlPlane: { labels: { tier: vault } }

                    """))
        let configs = Mutex<[String]>([])
        let runner = CLIFixture.emptyWorld { runner in
            runner.on(["kind", "create", "cluster"]) { command in
                if let i = command.arguments.firstIndex(of: "--config"),
                    let text = try? String(contentsOfFile: command.arguments[i + 1], encoding: .utf8)
                {
                    configs.withLock { $0.append(text) }
                }
                return CommandResult(stderr: "Creating cluster ...\n")
            }
        }
        let result = await CLI.run(["apply", spec.path, "--yes"], session: CLIFixture.session(runner))
        #expect(result.exitCode == 0, "\(result.stderr)")
        let handed = configs.withLock { $0 }
        #expect(handed.count == 3)
        for config in handed {
            #expect(
                config == """
                    kind: Cluster
                    apiVersion: kind.x-k8s.io/v1alpha4
                    featureGates:
                      InPlacePodVerticalScaling: true
                    nodes:
                    - role: control-plane
                      labels:
                        tier: vault

                    """)
        }
        // Each new cluster's ownership record says what kind was given.
        let annotations = runner.calls.filter { $0.argv.contains("annotate") && $0.argv.contains { $0.hasPrefix("multidc/kind-config=") } }
        #expect(annotations.count == 3)
        #expect(
            annotations.first?.argv.contains(
                #"multidc/kind-config={"controlPlane":{"labels":{"tier":"vault"}},"featureGates":{"InPlacePodVerticalScaling":true}}"#)
                == true)
    }
}
