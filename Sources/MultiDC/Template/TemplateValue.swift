/// The value a placeholder stands for.
package enum TemplateValue: Sendable, Hashable, CustomStringConvertible {
    /// A plain value; an `.int` keeps its type when it fills a whole scalar.
    case known(Scalar)
    /// A secret value: shown as `(sensitive)`, substituted only when rendering for apply.
    case sensitive(Secret)
    /// Known only after an earlier action ran (the KMS address before the KMS runs).
    /// `sensitive` values that are unknown still show as `(sensitive)`.
    case unknown(sensitive: Bool)

    /// A typed plain value.
    package enum Scalar: Sendable, Hashable {
        case string(String)
        case int(Int)

        package var text: String {
            switch self {
            case .string(let s): return s
            case .int(let i): return String(i)
            }
        }
    }

    package static func string(_ s: String) -> TemplateValue { .known(.string(s)) }
    package static func int(_ i: Int) -> TemplateValue { .known(.int(i)) }
    package static let unknown = TemplateValue.unknown(sensitive: false)

    /// Shown in diff and render output.
    package static let sensitiveText = "(sensitive)"
    package static let unknownText = "(known after apply)"

    /// The text shown to people: the value, `(sensitive)` or `(known after apply)`.
    package var displayText: String {
        switch self {
        case .known(let scalar): return scalar.text
        case .sensitive, .unknown(sensitive: true): return TemplateValue.sensitiveText
        case .unknown(sensitive: false): return TemplateValue.unknownText
        }
    }

    package var isKnown: Bool {
        switch self {
        case .known, .sensitive: return true
        case .unknown: return false
        }
    }

    package var description: String { displayText }
}
