import Foundation

/// Turns any error into the one-line message reports and events carry.
package enum ErrorText {
    /// `LocalizedError.errorDescription` when there is one, else `String(describing:)`.
    package static func describe(_ error: any Error) -> String {
        if let localized = error as? any LocalizedError, let text = localized.errorDescription {
            return text
        }
        return String(describing: error)
    }
}
