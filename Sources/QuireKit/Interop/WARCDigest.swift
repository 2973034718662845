/// A digest as WARC records carry it (`WARC-Payload-Digest`, `WARC-Block-Digest`): `label:value`.
/// Writers spell the label many ways (`sha1`, `sha-1`, `SHA1`, `sha256`, `sha-256`) and encode
/// the value in base32 (the WARC custom), hex or base64; ArchiveWeb.page writes `sha256:HEX` on a
/// response and `sha-256:HEX` on its revisit. Two digests are equal when their algorithm and their
/// bytes are, whatever the spelling.
struct WARCDigest: Hashable, Sendable {
    /// The algorithm, lower case without dashes: `sha1`, `sha256`, `md5`...
    let algorithm: String
    /// The digest's bytes (for a value that decodes in no known way, its text's bytes).
    let bytes: [UInt8]

    /// Byte lengths of the algorithms WARC writers use.
    private static let sizes = ["sha1": 20, "sha256": 32, "sha512": 64, "sha384": 48, "sha224": 28, "md5": 16]

    /// Reads `label:value`; nil when there is no label.
    init?(_ text: String) {
        let trimmed = text.trimmedWhitespace
        guard let colon = trimmed.firstIndex(of: ":"), colon > trimmed.startIndex else { return nil }
        algorithm = trimmed[..<colon].lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
        let value = String(trimmed[trimmed.index(after: colon)...]).trimmedWhitespace
        let size = Self.sizes[algorithm]
        if let hex = Self.hex(value), size == nil || hex.count == size {
            bytes = hex
        } else if let b32 = Self.base32(value), size == nil || b32.count == size {
            bytes = b32
        } else if let b64 = Self.base64(value), size == nil || b64.count == size {
            bytes = b64
        } else {
            bytes = Array(value.utf8)
        }
    }

    init(algorithm: String, bytes: [UInt8]) {
        self.algorithm = algorithm
        self.bytes = bytes
    }

    /// The SHA-256 of a payload, as Quire knows every blob.
    init(sha256Hex: String) {
        self.init(algorithm: "sha256", bytes: Self.hex(sha256Hex) ?? Array(sha256Hex.utf8))
    }

    /// `sha256:` and lower-case hex, the spelling Quire writes.
    var text: String { "\(algorithm):" + Hex.encode(bytes) }

    /// `sha1:` and base32, the spelling Heritrix, wget and warcio write (and pywb indexes).
    var base32Text: String { "\(algorithm):" + Self.base32Encode(bytes) }

    static func hex(_ s: String) -> [UInt8]? {
        s.isEmpty ? nil : Hex.decode(s)
    }

    /// RFC 4648 base32 (upper or lower case, padding optional).
    static func base32(_ s: String) -> [UInt8]? {
        var out = [UInt8]()
        var buffer: UInt64 = 0
        var bits = 0
        for c in s.utf8 where c != 0x3D {
            let v: UInt8
            switch c {
            case 0x41...0x5A: v = c - 0x41
            case 0x61...0x7A: v = c - 0x61
            case 0x32...0x37: v = c - 0x32 + 26
            default: return nil
            }
            buffer = buffer << 5 | UInt64(v)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt64(bits)))
            }
        }
        return out.isEmpty ? nil : out
    }

    static func base32Encode(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)
        var out = [UInt8]()
        var buffer: UInt64 = 0
        var bits = 0
        for b in bytes {
            buffer = buffer << 8 | UInt64(b)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int((buffer >> UInt64(bits)) & 31)])
            }
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt64(5 - bits)) & 31)]) }
        while out.count % 8 != 0 { out.append(0x3D) }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 4648 base64 (standard or URL alphabet, padding optional).
    static func base64(_ s: String) -> [UInt8]? {
        var out = [UInt8]()
        var buffer: UInt32 = 0
        var bits = 0
        for c in s.utf8 where c != 0x3D {
            let v: UInt8
            switch c {
            case 0x41...0x5A: v = c - 0x41
            case 0x61...0x7A: v = c - 0x61 + 26
            case 0x30...0x39: v = c - 0x30 + 52
            case 0x2B, 0x2D: v = 62
            case 0x2F, 0x5F: v = 63
            default: return nil
            }
            buffer = buffer << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out.isEmpty ? nil : out
    }
}
