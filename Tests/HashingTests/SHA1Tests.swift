import Foundation
import Hashing
import TestSupport
import Testing

/// Every implementation this CPU can run: the tests check each one.
private let sha1Implementations = SHA1.Implementation.allCases.filter(\.isAvailable)

/// SHA-1 against the FIPS 180 / NIST example vectors and Python's hashlib, for the portable block
/// function and, where the CPU has them, the SHA extensions'.
@Suite("SHA-1")
struct SHA1Tests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

    @Test("the NIST example messages: empty, abc, the 448-bit and 896-bit messages, a million a", arguments: sha1Implementations)
    func nistVectors(_ implementation: SHA1.Implementation) {
        #expect(hex(SHA1.hash([UInt8](), implementation: implementation)) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(SHA1.hash(Array("abc".utf8), implementation: implementation)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8), implementation: implementation)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(hex(SHA1.hash(Array("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8), implementation: implementation))
                == "a49b2446a02c645bf419f995b67091253a04a259")
        #expect(hex(SHA1.hash([UInt8](repeating: 0x61, count: 1_000_000), implementation: implementation)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test("lengths around the block and padding boundaries, fed whole and in pieces, equal hashlib's", arguments: sha1Implementations)
    func boundaries(_ implementation: SHA1.Implementation) throws {
        var lengths: [Int] = Array(50...70) + Array(110...130) + [0, 1, 1000, 4096 + 17, 65536 + 5]
        lengths.sort()
        let messages = lengths.map { n in (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) } }
        let script = "import hashlib,sys\nfor n in map(int, sys.argv[1:]): print(hashlib.sha1(bytes((i*7+3) % 256 for i in range(n))).hexdigest())"
        let result = try runProcess("python3", ["-c", script] + lengths.map(String.init))
        let expected = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(expected.count == lengths.count)
        for (i, message) in messages.enumerated() where i < expected.count {
            #expect(hex(SHA1.hash(message, implementation: implementation)) == expected[i], "length \(lengths[i])")
            var pieces = SHA1(implementation: implementation)
            var rest = message[...]
            while !rest.isEmpty { let n = min(13, rest.count); pieces.update(rest.prefix(n)); rest = rest.dropFirst(n) }
            #expect(hex(pieces.finalize()) == expected[i], "length \(lengths[i]) in pieces")
        }
    }
}
