internal import CSHA256

/// SHA-1 (FIPS 180-4), only to check the `sha1:` payload digests that WARC writers (Heritrix,
/// wget, warcio, pywb) declare. Quire itself identifies content by SHA-256 alone; SHA-1 is not
/// collision-resistant and names nothing here.
///
/// Every payload of a WARC file is hashed with it, so like SHA-256 its block function runs on
/// the CPU's SHA extensions when it has them (C, `sha1_x86.c`) and in portable Swift otherwise;
/// the tests check both against the NIST vectors and hashlib.
public struct SHA1: Sendable {
    /// Which block function computes the digest: the SHA extensions serve SHA-1 as they serve SHA-256.
    public typealias Implementation = SHA256.Implementation

    private let implementation: Implementation
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)
    /// A block not yet full, and how many of its bytes are set.
    private var pending = [UInt8](repeating: 0, count: 64)
    private var pendingCount = 0
    /// Bytes given so far.
    private var length: UInt64 = 0

    public init(implementation: Implementation = .best) {
        self.implementation = implementation
    }

    public mutating func update<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        let contiguous: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if contiguous == nil { update(Array(bytes)) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var offset = 0
        if pendingCount > 0 {
            let take = min(64 - pendingCount, bytes.count)
            for i in 0..<take { pending[pendingCount + i] = bytes[i] }
            pendingCount += take
            offset = take
            guard pendingCount == 64 else { return }
            pending.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
            pendingCount = 0
        }
        let blocks = (bytes.count - offset) / 64
        if blocks > 0 {
            compress(bytes.baseAddress! + offset, blocks: blocks)
            offset += 64 * blocks
        }
        for i in offset..<bytes.count { pending[pendingCount] = bytes[i]; pendingCount += 1 }
    }

    /// The 20-byte digest of everything given to `update`.
    public mutating func finalize() -> [UInt8] {
        let bits = length &* 8
        var tail: [UInt8] = [0x80] + [UInt8](repeating: 0, count: (119 - pendingCount) % 64)
        for i in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bits >> (56 - 8 * UInt64(i)))) }
        tail.withUnsafeBytes { update($0) }
        var out: [UInt8] = []
        out.reserveCapacity(20)
        for word in [h.0, h.1, h.2, h.3, h.4] {
            out += [UInt8(word >> 24), UInt8(truncatingIfNeeded: word >> 16), UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word)]
        }
        return out
    }

    /// The digest of `bytes`.
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes, implementation: Implementation = .best) -> [UInt8] {
        var hasher = SHA1(implementation: implementation)
        hasher.update(bytes)
        return hasher.finalize()
    }

    private mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        switch implementation {
        case .accelerated:
            withUnsafeMutableBytes(of: &h) { raw in
                quire_sha1_accelerated_blocks(raw.baseAddress!.assumingMemoryBound(to: UInt32.self), data.assumingMemoryBound(to: UInt8.self), blocks)
            }
        case .portable:
            for b in 0..<blocks { compressPortable(data + 64 * b) }
        }
    }

    /// One 64-byte block: the 80-word schedule, then the four rounds of 20 steps.
    private mutating func compressPortable(_ block: UnsafeRawPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { buffer in
            let w = buffer.baseAddress!
            for t in 0..<16 {
                w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self))
            }
            for t in 16..<80 { w[t] = rotate(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
            var (a, b, c, d, e) = h
            for t in 0..<80 {
                let f: UInt32, k: UInt32
                if t < 20 { f = (b & c) | (~b & d); k = 0x5A827999 }
                else if t < 40 { f = b ^ c ^ d; k = 0x6ED9EBA1 }
                else if t < 60 { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC }
                else { f = b ^ c ^ d; k = 0xCA62C1D6 }
                let temp = rotate(a, 5) &+ f &+ e &+ k &+ w[t]
                e = d; d = c; c = rotate(b, 30); b = a; a = temp
            }
            h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
        }
    }

}

@inline(__always) private func rotate(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }
