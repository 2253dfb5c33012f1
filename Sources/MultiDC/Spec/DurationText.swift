/// Durations written the Go way: `10m`, `90s`, `1h30m`, `500ms`.
public enum DurationText {
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

    /// The shortest text for a duration: `10m`, `1h30m`, `90s` → `1m30s`.
    public static func format(_ duration: Duration) -> String {
        let (seconds, attos) = duration.components
        var out = ""
        var s = seconds
        if s >= 3600 { out += "\(s / 3600)h"; s %= 3600 }
        if s >= 60 { out += "\(s / 60)m"; s %= 60 }
        if s > 0 { out += "\(s)s" }
        let ms = attos / 1_000_000_000_000_000
        if ms > 0 { out += "\(ms)ms" }
        return out.isEmpty ? "0s" : out
    }
}
