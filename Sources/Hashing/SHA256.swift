internal import CSHA256

/// Streaming SHA-256 (FIPS 180-4).
///
/// Feed bytes with `update` as they arrive and call `finalize` once. The block function runs on
/// the CPU's SHA extensions when it has them and in portable Swift otherwise; both give the same
/// digest, and the tests check both against the NIST vectors.
public struct SHA256: Sendable {
    /// Which block function computes the digest.
    public enum Implementation: Sendable, CaseIterable {
        /// The x86 SHA extensions (SHA-NI), when the CPU has them.
        case accelerated
        /// Portable Swift.
        case portable

        /// The fastest implementation this CPU supports.
        public static let best: Implementation = quire_sha256_accelerated_available() == 1 ? .accelerated : .portable

        /// Whether this CPU can run the implementation.
        public var isAvailable: Bool { self == .portable || Implementation.best == .accelerated }
    }

    static let initialState: [UInt32] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]

    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
    /// Up to 63 bytes waiting for a full block.
    private var pending: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    private var pendingCount = 0
    private var totalBytes: UInt64 = 0
    public let implementation: Implementation

    /// A fresh hash. `implementation` defaults to the fastest this CPU supports.
    public init(implementation: Implementation = .best) {
        precondition(implementation.isAvailable, "SHA-256 implementation \(implementation) is not supported by this CPU")
        let s = SHA256.initialState
        state = (s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
        pending = (0, 0, 0, 0, 0, 0, 0, 0)
        self.implementation = implementation
    }

    /// Adds bytes to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        totalBytes &+= UInt64(remaining)

        if pendingCount > 0 {
            let take = min(64 - pendingCount, remaining)
            withUnsafeMutableBytes(of: &pending) { p in
                (p.baseAddress! + pendingCount).copyMemory(from: base, byteCount: take)
            }
            pendingCount += take
            base += take
            remaining -= take
            if pendingCount < 64 { return }
            var block = pending
            withUnsafeBytes(of: &block) { compress($0.baseAddress!, blocks: 1) }
            pendingCount = 0
        }
        let blocks = remaining / 64
        if blocks > 0 {
            compress(base, blocks: blocks)
            base += blocks * 64
            remaining -= blocks * 64
        }
        if remaining > 0 {
            withUnsafeMutableBytes(of: &pending) { p in
                p.baseAddress!.copyMemory(from: base, byteCount: remaining)
            }
            pendingCount = remaining
        }
    }

    /// Adds bytes to the message.
    public mutating func update<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            let array = Array(bytes)
            array.withUnsafeBytes { update($0) }
        }
    }

    /// Pads the message and returns its digest. The hash must not be updated afterwards.
    public mutating func finalize() -> SHA256Digest {
        let bitLength = totalBytes &* 8
        var padding = [UInt8](repeating: 0, count: pendingCount < 56 ? 56 - pendingCount : 120 - pendingCount)
        padding[0] = 0x80
        for shift in stride(from: 56, through: 0, by: -8) {
            padding.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        let savedTotal = totalBytes
        padding.withUnsafeBytes { update($0) }
        totalBytes = savedTotal
        precondition(pendingCount == 0)
        return withUnsafeBytes(of: state) { words in
            var out = [UInt8](repeating: 0, count: 32)
            for i in 0..<8 {
                let w = words.load(fromByteOffset: i * 4, as: UInt32.self)
                out[i * 4] = UInt8(w >> 24)
                out[i * 4 + 1] = UInt8((w >> 16) & 0xff)
                out[i * 4 + 2] = UInt8((w >> 8) & 0xff)
                out[i * 4 + 3] = UInt8(w & 0xff)
            }
            return SHA256Digest(bytes: out)!
        }
    }

    /// The digest of `bytes` in one call.
    public static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes, implementation: Implementation = .best) -> SHA256Digest {
        var h = SHA256(implementation: implementation)
        h.update(bytes)
        return h.finalize()
    }

    /// The digest of the UTF-8 bytes of `string`.
    public static func hash(_ string: String) -> SHA256Digest {
        hash(Array(string.utf8))
    }

    private mutating func compress(_ data: UnsafeRawPointer, blocks: Int) {
        withUnsafeMutableBytes(of: &state) { raw in
            let words = raw.baseAddress!.assumingMemoryBound(to: UInt32.self)
            switch implementation {
            case .accelerated:
                quire_sha256_accelerated_blocks(words, data.assumingMemoryBound(to: UInt8.self), blocks)
            case .portable:
                SHA256.portableBlocks(words, data, blocks: blocks)
            }
        }
    }
}
