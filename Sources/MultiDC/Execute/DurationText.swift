/// Go-style duration text (`2m0s`, `1.5s`, `250ms`, `1h0m0s`): the form kubectl, kind and helm
/// print, so multidc's messages read the same.
package enum DurationText {
    /// Formats `duration` the way Go's `time.Duration.String` does. Any `Duration` formats:
    /// the arithmetic is 128-bit, so nothing overflows (`999999999h` prints `999999999h0m0s`).
    package static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var nanos = Int128(seconds) * 1_000_000_000 + Int128(attoseconds / 1_000_000_000)
        if nanos == 0 { return "0s" }
        let negative = nanos < 0
        if negative { nanos = -nanos }
        let sign = negative ? "-" : ""
        if nanos < 1_000 { return "\(sign)\(nanos)ns" }
        if nanos < 1_000_000 { return sign + decimal(nanos, unit: 1_000) + "µs" }
        if nanos < 1_000_000_000 { return sign + decimal(nanos, unit: 1_000_000) + "ms" }
        let hours = nanos / 3_600_000_000_000
        let minutes = (nanos / 60_000_000_000) % 60
        let secondsPart = nanos % 60_000_000_000
        var text = sign
        if hours > 0 { text += "\(hours)h" }
        if hours > 0 || minutes > 0 { text += "\(minutes)m" }
        text += decimal(secondsPart, unit: 1_000_000_000) + "s"
        return text
    }

    /// `value / unit` with the fraction printed without trailing zeros.
    private static func decimal(_ value: Int128, unit: Int128) -> String {
        let whole = value / unit
        var fraction = value % unit
        guard fraction != 0 else { return "\(whole)" }
        var digits = String(unit).count - 1
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let fractionText = String(fraction)
        return "\(whole)." + String(repeating: "0", count: digits - fractionText.count) + fractionText
    }
}

extension DurationText {
    /// A duration as people read it, rounded to what matters at its size: `0s`, `340ms`, `1.46s`,
    /// `12.3s`, `2m05s`, `1h02m`. For reports and progress, never for parsing back.
    package static func human(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        var millis = Int128(seconds) * 1000 + Int128(attoseconds / 1_000_000_000_000_000)
        let sign = millis < 0 ? "-" : ""
        if millis < 0 { millis = -millis }
        if millis == 0 { return "0s" }
        if millis < 1000 { return "\(sign)\(millis)ms" }
        if millis < 10_000 {
            let hundredths = (millis + 5) / 10
            return sign + "\(hundredths / 100)." + twoDigits(hundredths % 100) + "s"
        }
        if millis < 59_950 {
            let tenths = (millis + 50) / 100
            return sign + "\(tenths / 10).\(tenths % 10)s"
        }
        let totalSeconds = (millis + 500) / 1000
        if totalSeconds < 3600 { return sign + "\(totalSeconds / 60)m" + twoDigits(totalSeconds % 60) + "s" }
        let totalMinutes = (totalSeconds + 30) / 60
        return sign + "\(totalMinutes / 60)h" + twoDigits(totalMinutes % 60) + "m"
    }

    private static func twoDigits(_ value: Int128) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
