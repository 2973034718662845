import Foundation
import Testing
import TestSupport
@testable import Hashing

/// Every available implementation: the tests run each one.
let implementations = SHA256.Implementation.allCases.filter(\.isAvailable)

@Suite("SHA-256")
struct SHA256Tests {
    // FIPS 180-4 examples and NIST CAVP vectors.
    static let vectors: [(String, String)] = [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ]

    @Test("NIST vectors", arguments: implementations)
    func nistVectors(_ implementation: SHA256.Implementation) {
        for (message, digest) in Self.vectors {
            #expect(SHA256.hash(Array(message.utf8), implementation: implementation).hex == digest, "message \(message.prefix(10))")
        }
    }

    @Test("one million 'a'", arguments: implementations)
    func millionA(_ implementation: SHA256.Implementation) {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hash(message, implementation: implementation).hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("every length from 0 to 300 bytes agrees with sha256sum", arguments: implementations)
    func lengthsAgainstSha256sum(_ implementation: SHA256.Implementation) throws {
        let dir = TemporaryDirectory("sha-lengths")
        var rng = SeededRandom(seed: 300)
        var expected: [String: String] = [:]
        var names: [String] = []
        for length in 0...300 {
            let bytes = rng.bytes(length)
            let name = "len\(length)"
            try dir.write(name, bytes)
            names.append(name)
            expected[name] = SHA256.hash(bytes, implementation: implementation).hex
        }
        let result = try runProcess("sha256sum", names, currentDirectory: dir.path)
        #expect(result.status == 0)
        let lines = result.stdoutText.split(separator: "\n")
        #expect(lines.count == 301)
        for line in lines {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            #expect(expected[String(parts[1])] == String(parts[0]), "\(parts[1])")
        }
    }

    @Test("large random inputs agree with sha256sum", arguments: implementations)
    func largeInputs(_ implementation: SHA256.Implementation) throws {
        let dir = TemporaryDirectory("sha-large")
        var rng = SeededRandom(seed: 7)
        for size in [1 << 20, 5 * (1 << 20) + 17, 3 * (1 << 20) - 1] {
            let bytes = rng.bytes(size)
            let path = try dir.write("big", bytes)
            let result = try runProcess("sha256sum", [path])
            let reference = String(result.stdoutText.prefix(64))
            #expect(SHA256.hash(bytes, implementation: implementation).hex == reference, "size \(size)")
        }
    }

    @Test("feeding bytes in pieces gives the same digest", arguments: implementations)
    func streaming(_ implementation: SHA256.Implementation) {
        var rng = SeededRandom(seed: 42)
        let message = rng.bytes(10_000)
        let whole = SHA256.hash(message, implementation: implementation)
        for _ in 0..<50 {
            var hasher = SHA256(implementation: implementation)
            var offset = 0
            while offset < message.count {
                let step = Int(rng.next() % 200)
                let end = min(message.count, offset + step)
                hasher.update(message[offset..<end])
                offset = end
            }
            #expect(hasher.finalize() == whole)
        }
    }

    @Test("both implementations agree on random messages")
    func implementationsAgree() {
        guard SHA256.Implementation.accelerated.isAvailable else { return }
        var rng = SeededRandom(seed: 99)
        for _ in 0..<200 {
            let message = rng.bytes(Int(rng.next() % 5000))
            #expect(SHA256.hash(message, implementation: .accelerated) == SHA256.hash(message, implementation: .portable))
        }
    }

    @Test("digest hex round trip and prefixes")
    func digestText() {
        let digest = SHA256.hash("abc")
        #expect(SHA256Digest(hex: digest.hex) == digest)
        #expect(SHA256Digest(hex: digest.hex.uppercased()) == digest)
        #expect(SHA256Digest(hex: "xyz") == nil)
        #expect(SHA256Digest(hex: String(repeating: "g", count: 64)) == nil)
        #expect(SHA256Digest.isHexPrefix("ba78"))
        #expect(!SHA256Digest.isHexPrefix("ba7z"))
        #expect(!SHA256Digest.isHexPrefix(""))
    }
}
