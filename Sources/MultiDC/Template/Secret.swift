/// A secret value (a token). Prints as `(sensitive)` everywhere; `reveal()` is the one way out,
/// for the code that hands it to a tool on stdin or in a 0600 file.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The secret itself. Never log or print it.
    public func reveal() -> String { value }

    public var description: String { "(sensitive)" }
    public var debugDescription: String { "(sensitive)" }
}
