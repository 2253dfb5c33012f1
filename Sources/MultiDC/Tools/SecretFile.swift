import Foundation

/// A temporary file readable only by its owner (mode 0600), for secrets handed to a tool by
/// path (docker's --env-file) and for generated configs. Removed by `remove()`.
struct SecretFile: Sendable {
    let path: String

    init(contents: String, suffix: String = "") throws {
        let directory = FileManager.default.temporaryDirectory.path
        path = "\(directory)/multidc-\(UUID().uuidString)\(suffix)"
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(contents.utf8))
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
