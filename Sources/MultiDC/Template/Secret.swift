/// A secret value (a token). Prints as `(sensitive)` everywhere; `reveal()` is the one way out,
/// for the code that hands it to a tool on stdin or in a 0600 file.
package struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    package init(_ value: String) { self.value = value }

    /// The secret itself. Never log or print it.
    package func reveal() -> String { value }

    package var description: String { "(sensitive)" }
    package var debugDescription: String { "(sensitive)" }
}
