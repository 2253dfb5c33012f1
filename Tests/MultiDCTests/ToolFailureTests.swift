import Testing

@testable import MultiDC

/// Which tool failures are retried: the reference's texts.
@Suite struct ToolFailureTests {
    @Test(arguments: [
        #"Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:41721/version": dial tcp 127.0.0.1:41721: connect: connection refused"#,
        #"The connection to the server 127.0.0.1:41721 was refused - did you specify the right host or port?"#,
        #"Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "ipaddresspoolvalidationwebhook.metallb.io""#,
    ])
    func transient(_ stderr: String) {
        #expect(ToolFailure.isTransient(stderr))
    }

    /// A missing context never heals by waiting (it made apply wait the whole readiness timeout).
    @Test(arguments: [
        #"Error: Kubernetes cluster unreachable: context "kind-secondary" does not exist"#,
        "Error in configuration: context was not found for specified context: kind-secondary",
    ])
    func missingContextIsNotTransient(_ stderr: String) {
        #expect(ToolFailure.isMissingContext(stderr))
        #expect(!ToolFailure.isTransient(stderr))
    }
}
