extension DurationText {
    /// The duration of a text, or nil when it is not one.
    public static func parse(_ text: String) -> Duration? {
        guard !text.isEmpty else { return nil }
        var total: Duration = .zero
        var chars = Substring(text)
        while !chars.isEmpty {
            let digits = chars.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 9, let number = Int64(digits) else { return nil }
            chars = chars.dropFirst(digits.count)
            let unit = chars.prefix { $0.isASCII && $0.isLetter }
            chars = chars.dropFirst(unit.count)
            switch unit {
            case "h": total += .seconds(number * 3600)
            case "m": total += .seconds(number * 60)
            case "s": total += .seconds(number)
            case "ms": total += .milliseconds(number)
            default: return nil
            }
        }
        return total
    }
}
