/// SplitMix64: a small, fast generator whose stream depends only on the seed, so a fuzz run
/// is repeated exactly by its seed (no `SystemRandomNumberGenerator` anywhere).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mutates seed inputs into fuzz cases: byte edits, YAML tokens, splices, repetitions (long
/// sequences, many keys, long lines) and generated stress shapes (alias chains, deep nesting).
struct Mutator {
    var random: SplitMix64
    let corpus: [[UInt8]]
    /// Largest case produced, in bytes.
    let maxSize: Int

    static let tokens: [String] = [
        "&a ", "*a", "&b ", "*b", "[", "]", "{", "}", ", ", ": ", "- ", "? ", "\n", "\r\n", "\r", "\t", "  ", "#",
        "'", "\"", "''", "\\", "\\u00e9", "\\x41", "\\\n", "|", "|-", ">", ">+2", "---\n", "...\n", "%YAML 1.1\n",
        "%TAG ! tag:x,2000:\n", "!!int ", "!!float ", "!!null ", "!!bool ", "!!str ", "!!binary ", "!!map ", "!!seq ",
        "!custom ", "!<tag:yaml.org,2002:int> ", "0x", "0o", "0x-1", "0x+5", "99999999999999999999", "-9223372036854775808",
        ".inf", ".nan", "~", "null", "True", "1e3", "1_000", "0777", "\u{7}", "\u{0}", "\u{FEFF}", "\u{FFFF}", "\u{85}",
        "\u{2028}", "é", "e\u{301}", "😀", "${{ cluster.name }}", "${{", "}}", "${{ kms.address }}", "<<: *a\n",
    ]
    static let interestingBytes: [UInt8] = Array("\0\u{7}\r\n\t \u{7F}[]{}:-&*!|>\"'#?,%@`".utf8) + [0xFF, 0xC3, 0xE2, 0x80]

    init(seed: UInt64, corpus: [[UInt8]], maxSize: Int = 256 << 10) {
        random = SplitMix64(seed: seed)
        self.corpus = corpus.isEmpty ? [Array("a: 1\n".utf8)] : corpus
        self.maxSize = maxSize
    }

    mutating func int(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(random.next() % UInt64(bound)) }

    /// The next case: usually a mutated seed, sometimes a generated stress input.
    mutating func next() -> [UInt8] {
        if int(40) == 0 { return stress() }
        var bytes = corpus[int(corpus.count)]
        for _ in 0..<(1 + int(4)) { mutate(&bytes) }
        if bytes.count > maxSize { bytes.removeLast(bytes.count - maxSize) }
        return bytes
    }

    mutating func mutate(_ bytes: inout [UInt8]) {
        let position = int(bytes.count + 1)
        switch int(8) {
        case 0:
            if !bytes.isEmpty { bytes[int(bytes.count)] ^= UInt8(1) << UInt8(int(8)) }
        case 1:
            if !bytes.isEmpty { bytes[int(bytes.count)] = Mutator.interestingBytes[int(Mutator.interestingBytes.count)] }
        case 2, 3:
            bytes.insert(contentsOf: Array(Mutator.tokens[int(Mutator.tokens.count)].utf8), at: position)
        case 4:
            let length = min(1 + int(64), bytes.count - min(position, bytes.count))
            if length > 0 { bytes.removeSubrange(position..<(position + length)) }
        case 5:
            // Repeat a range: long sequences, many keys, long lines.
            let length = min(1 + int(40), bytes.count - min(position, bytes.count))
            guard length > 0 else { return }
            let piece = Array(bytes[position..<(position + length)])
            let times = min([1, 10, 100, 1000, 5000][int(5)], (maxSize - bytes.count) / length)
            if times > 0 { bytes.insert(contentsOf: Array([[UInt8]](repeating: piece, count: times).joined()), at: position) }
        case 6:
            // Splice in part of another seed.
            let other = corpus[int(corpus.count)]
            let start = int(other.count)
            let length = min(int(200), other.count - start)
            bytes.insert(contentsOf: other[start..<(start + length)], at: position)
        default:
            // Swap two lines.
            var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            guard lines.count > 1 else { return }
            lines.swapAt(int(lines.count), int(lines.count))
            bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
        }
    }

    /// The shapes the first fuzz run found slow or large, at random sizes.
    mutating func stress() -> [UInt8] {
        let n = 1 + int(20_000)
        var text: String
        switch int(7) {
        case 0: text = "[" + Array(repeating: "0", count: n).joined(separator: ",") + "]"
        case 1: text = (0..<n).map { "k\($0): \($0)" }.joined(separator: "\n")
        case 2: text = "[&a \"" + String(repeating: "A", count: min(n * 10, 100_000)) + "\"" + String(repeating: ", *a", count: n) + "]"
        case 3:
            text = "a0: &a0 [x]\n"
            for i in 1..<min(n, 3_000) { text += "a\(i): &a\(i) [*a\(i - 1)]\n" }
        case 4: text = String(repeating: "[", count: n % 2_000) + String(repeating: "]", count: n % 2_000)
        case 5: text = "spec:\n  clusters: [" + Array(repeating: "1", count: n).joined(separator: ", ") + "]\n"
        default: text = "a: " + String(repeating: "x", count: n * 10) + "\u{7}\n"
        }
        var bytes = Array(text.utf8)
        if int(2) == 0 { mutate(&bytes) }
        return Array(bytes.prefix(maxSize))
    }
}
