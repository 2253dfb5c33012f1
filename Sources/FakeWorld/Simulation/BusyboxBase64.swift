import Foundation

/// busybox's `base64` applet, the one in the hashicorp/vault image (Alpine) [SRC mirror/busybox
/// coreutils/uudecode.c 1_36_1 `baseNUM_main` (the base64/base32 applet), libbb/uuencode.c
/// `bb_uuencode`, `decode_base64`, `read_base64`]. busybox has no coreutils/base64.c: the applet
/// lives in uudecode.c.
///
/// * Options `-d`, `-i` (accepted, no effect), `-w COL` (default 76, 0 = no wrapping); at most one
///   FILE, `-` or none is stdin (getopt32 `"^diw:+" "\0" "?1"`).
/// * Encoding wraps at COL and ends the last line with a newline; with `-w 0` nothing ends the
///   output. Empty input prints nothing.
/// * Decoding skips every character that is not in the alphabet (there is no strict mode), stops a
///   4-character group at `=`/`==`, and reads in chunks cut at white space; when the input ends in
///   the middle of a group it writes what it decoded, then fails `base64: truncated input`, exit 1.
enum BusyboxBase64 {
    /// bb_show_usage's text (the build-date part of the banner is left out: it differs per build).
    static let usage =
        "BusyBox v1.36.1 multi-call binary.\n\nUsage: base64 [-d] [-w COL] [FILE]\n\nBase64 encode or decode FILE to standard output\n\n\t-d\tDecode data\n\t-w COL\tWrap lines at COL (default 76, 0 disables)\n"

    static func run(_ args: [String], stdin: Stdin, file: (String) -> Data?) -> ProcResult {
        var decode = false
        var col = 76
        var operands: [String] = []
        var i = 0
        // getopt (musl): options until the first operand or `--`; `-w` takes the rest of its word or
        // the next word.
        while i < args.count {
            let a = args[i]
            if a == "--" {
                operands += args[(i + 1)...]
                break
            }
            guard a.hasPrefix("-"), a != "-" else {
                operands += args[i...]
                break
            }
            var letters = Array(a.dropFirst())[...]
            while let l = letters.first {
                letters = letters.dropFirst()
                switch l {
                case "d": decode = true
                case "i": break
                case "w":
                    var v = String(letters)
                    letters = []
                    if v.isEmpty {
                        guard i + 1 < args.count else {
                            return ProcResult(stderr: "base64: option requires an argument: w\n" + usage, code: 1)
                        }
                        i += 1
                        v = args[i]
                    }
                    guard let n = Int(v), n >= 0 else { return ProcResult(stderr: "base64: invalid number '\(v)'\n", code: 1) }
                    col = n
                default:
                    return ProcResult(stderr: "base64: unrecognized option: \(l)\n" + usage, code: 1)
                }
            }
            i += 1
        }
        guard operands.count <= 1 else { return ProcResult(stderr: usage, code: 1) }
        let input: Data
        if let f = operands.first, f != "-" {
            guard let d = file(f) else { return ProcResult(stderr: "base64: can't open '\(f)': No such file or directory\n", code: 1) }
            input = d
        } else {
            input = stdin.readAll()
        }
        if decode {
            let (bytes, complete) = self.decode(input)
            return ProcResult(stdout: bytes, stderr: complete ? "" : "base64: truncated input\n", code: complete ? 0 : 1)
        }
        return ProcResult(stdout: Data(encode(input, col: col).utf8))
    }

    static func encode(_ data: Data, col: Int) -> String {
        let s = data.base64EncodedString()
        guard col > 0, !s.isEmpty else { return s }
        var lines: [Substring] = []
        var rest = s[...]
        while !rest.isEmpty {
            lines.append(rest.prefix(col))
            rest = rest.dropFirst(col)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// read_base64 with its 80-byte buffer; `complete` is false for "truncated input".
    static func decode(_ input: Data) -> (Data, complete: Bool) {
        let bytes = [UInt8](input)
        var out = Data()
        var buf: [UInt8] = []
        var pos = 0
        while true {
            var termSeen = false
            while buf.count < 80 {
                guard pos < bytes.count else {
                    if buf.isEmpty { return (out, true) }
                    termSeen = true
                    break
                }
                let ch = bytes[pos]
                pos += 1
                if ch <= 0x20 { break }  // white space and control characters cut the chunk
                buf.append(ch)
            }
            let (decoded, tail) = decodeChunk(buf)
            out += decoded
            if termSeen { return (out, tail == buf.count) }
            buf = Array(buf[tail...])
        }
    }

    /// decode_base64: the bytes decoded and how many input bytes were consumed (a partial group is
    /// left over: "-i signals truncation").
    static func decodeChunk(_ src: [UInt8]) -> (Data, Int) {
        var out = Data()
        var ch: UInt32 = 0
        var i = 0
        var s = 0
        while s < src.count {
            var t = UInt32(src[s])
            s += 1
            switch t {
            case 0x30...0x39: t = t - 0x30 + 52
            case 0x41...0x5A: t -= 0x41
            case 0x61...0x7A: t = t - 0x61 + 26
            case 0x2B: t = 62
            case 0x2F: t = 63
            case 0x3D where i == 3 || (i == 2 && s < src.count && src[s] == 0x3D):
                // "=" only as padding: this disallows "==AA", "A===", "AA=A" etc.
                t = 0x100_0000
            default:
                continue
            }
            ch = (ch &<< 6) | t
            i = (i + 1) & 3
            if i == 0 {
                out.append(UInt8(truncatingIfNeeded: ch >> 16))
                out.append(UInt8(truncatingIfNeeded: ch >> 8))
                out.append(UInt8(truncatingIfNeeded: ch))
                if ch & 0x100_0000 != 0 {
                    out.removeLast()
                    if ch & (0x100_0000 << 6) != 0 { out.removeLast() }
                    break
                }
                ch = 0
            }
        }
        return (out, s - i)
    }
}
