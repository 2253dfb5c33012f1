extension DurationText {
    /// The longest duration multidc takes: Go's `time.Duration` maximum (2562047h47m16.854775807s),
    /// so every duration is a whole number of nanoseconds in an `Int64`, as kubectl and helm take it.
    package static let maximum: Duration = .nanoseconds(Int64.max)

    /// Why a text is not a duration multidc takes, as a phrase for the user.
    package enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Not Go duration syntax (`10m`, `1.5s`, `1h30m`, `500ms`).
        case notADuration
        /// Negative (`-5s`).
        case negative
        /// Zero where a positive duration is needed.
        case zero
        /// Longer than `DurationText.maximum`.
        case tooLong

        package var description: String {
            switch self {
            case .notADuration: return "is not a duration; write it like 10m, 90s, 1.5s or 1h30m"
            case .negative: return "is negative; a duration must be positive"
            case .zero: return "is zero; a duration must be positive"
            case .tooLong: return "is too long; the longest duration is 2562047h"
            }
        }
    }

    /// The duration of a text, or nil when it is not one (or is negative or too long).
    package static func parse(_ text: String) -> Duration? {
        try? parseChecked(text, allowZero: true)
    }

    /// The duration of a Go-style text (`10m`, `1.5s`, `1h30m`, `250ms`, `2us`, `10ns`): each
    /// component is a decimal number with an optional fraction and a unit (h, m, s, ms, us, µs,
    /// ns). A leading `-` parses (so that the message can say "negative") but is refused.
    /// Arithmetic is checked: nothing overflows, whatever the text.
    package static func parseChecked(_ text: String, allowZero: Bool = false) throws(ParseError) -> Duration {
        var rest = Substring(text)
        var negative = false
        if let sign = rest.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { throw .notADuration }
        if rest == "0" { return try finish(0, negative: negative, allowZero: allowZero) }
        var total: UInt64 = 0
        var tooLong = false
        while !rest.isEmpty {
            let whole = rest.prefix { $0.isASCII && $0.isNumber }
            rest = rest.dropFirst(whole.count)
            var fraction: Substring = ""
            if rest.first == "." {
                rest = rest.dropFirst()
                fraction = rest.prefix { $0.isASCII && $0.isNumber }
                rest = rest.dropFirst(fraction.count)
            }
            guard !whole.isEmpty || !fraction.isEmpty else { throw .notADuration }
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            rest = rest.dropFirst(unitText.count)
            guard let unit = units[String(unitText)] else { throw .notADuration }
            // whole × unit, saturating: a too-long value is still checked for syntax to the end.
            var value: UInt64 = 0
            for digit in whole.utf8 {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(UInt64(digit - 48))
                if o1 || o2 { tooLong = true; value = 0; break }
                value = next
            }
            let (scaled, o3) = value.multipliedReportingOverflow(by: unit)
            if o3 { tooLong = true }
            // The fraction, to the nanosecond (digits beyond what the unit resolves are dropped).
            var part: UInt64 = 0
            var scale: UInt64 = 1
            for digit in fraction.utf8 where scale < 1_000_000_000_000_000_000 {
                part = part * 10 + UInt64(digit - 48)
                scale *= 10
            }
            let fractionNanos = UInt64(Double(part) * (Double(unit) / Double(scale)))  // as Go's ParseDuration
            let (sum1, o4) = total.addingReportingOverflow(o3 ? 0 : scaled)
            let (sum2, o5) = sum1.addingReportingOverflow(fractionNanos)
            if o4 || o5 { tooLong = true }
            total = sum2
        }
        if tooLong || total > UInt64(Int64.max) { throw .tooLong }
        return try finish(total, negative: negative, allowZero: allowZero)
    }

    private static func finish(_ nanos: UInt64, negative: Bool, allowZero: Bool) throws(ParseError) -> Duration {
        if nanos == 0 {
            if allowZero { return .zero }
            throw .zero
        }
        if negative { throw .negative }
        return .nanoseconds(Int64(nanos))
    }

    /// Nanoseconds per unit.
    private static let units: [String: UInt64] = [
        "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000,
        "h": 3_600_000_000_000,
    ]
}
