import Foundation

/// Go's time.ParseDuration and time.Duration.String (kind's --wait, helm and kubectl --timeout).
enum GoDuration {
    /// Seconds, or nil when the text is not a Go duration. A bare "0" is accepted (as Go does).
    static func parse(_ text: String) -> Double? {
        var s = Substring(text)
        if s == "0" { return 0 }
        var negative = false
        if s.hasPrefix("-") { negative = true; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        guard !s.isEmpty else { return nil }
        var total = 0.0
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        while !s.isEmpty {
            let numEnd = s.firstIndex { !($0.isNumber || $0 == ".") } ?? s.endIndex
            guard numEnd != s.startIndex, let value = Double(s[s.startIndex..<numEnd]) else { return nil }
            s = s[numEnd...]
            guard let unit = units.first(where: { s.hasPrefix($0.0) && !(($0.0 == "m") && s.hasPrefix("ms")) }) else { return nil }
            total += value * unit.1
            s = s.dropFirst(unit.0.count)
        }
        return negative ? -total : total
    }

    /// Go's Duration.String for whole-second-ish values: 2m0s, 15s, 1h0m0s, 500ms, 0s.
    static func format(_ seconds: Double) -> String {
        if seconds == 0 { return "0s" }
        if seconds < 1 {
            let ms = seconds * 1000
            return ms == ms.rounded() ? "\(Int(ms))ms" : "\(ms)ms"
        }
        var rest = seconds
        var out = ""
        let h = Int(rest / 3600)
        if h > 0 { out += "\(h)h"; rest -= Double(h) * 3600 }
        let m = Int(rest / 60)
        if h > 0 || m > 0 { out += "\(m)m"; rest -= Double(m) * 60 }
        let sText = rest == rest.rounded() ? String(Int(rest)) : String(format: "%g", rest)
        return out + sText + "s"
    }
}
