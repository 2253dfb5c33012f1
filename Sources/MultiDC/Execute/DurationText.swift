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
