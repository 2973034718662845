import Foundation
import Hashing
import Testing
import TestSupport
@testable import QuireKit

/// SSH keys made by the real ssh-keygen, with allowed_signers files for them.
private struct Keys {
    let dir: TemporaryDirectory
    let ana: String, mallory: String
    let anaSigners: String, mallorySigners: String

    init(_ dir: TemporaryDirectory) throws {
        try requireTool("ssh-keygen", check: ["sh", "-c", "command -v ssh-keygen"])
        self.dir = dir
        ana = dir.file("ana_ed25519")
        mallory = dir.file("mallory_ed25519")
        for (path, comment) in [(ana, "ana@example.org"), (mallory, "mallory@example.org")] {
            let made = try runProcess("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path])
            #expect(made.status == 0, "\(made.stderr)")
        }
        anaSigners = try dir.write("ana_signers", "ana@example.org namespaces=\"quire\" " + (try String(contentsOfFile: ana + ".pub", encoding: .utf8)))
        mallorySigners = try dir.write("mallory_signers", "ana@example.org namespaces=\"quire\" " + (try String(contentsOfFile: mallory + ".pub", encoding: .utf8)))
    }

    /// `ssh-keygen -l`'s fingerprint of a key, as `ED25519 SHA256:…`.
    func fingerprint(_ key: String) throws -> String {
        let line = try runProcess("ssh-keygen", ["-l", "-f", key + ".pub"]).stdoutText
        let parts = line.split(separator: " ")
        return "\(parts.last!.trimmingCharacters(in: CharacterSet(charactersIn: "()\n"))) \(parts[1])"
    }
}

@Suite("Signatures")
struct SignatureTests {
    @Test("a signing copy signs batch close, import, redaction and resolve; verify with the right allowed_signers names the signer, with another key's file fails; provenance shows the signer; the importer verifies the signatures")
    func signedTrail() throws {
        let c = try Copies(2)
        let keys = try Keys(c.dir)
        c[0].signingKey = try SigningKey(path: keys.ana, principal: "ana@example.org")
        c[1].signingKey = try SigningKey(path: keys.ana, principal: "ana@example.org")
        _ = try c.ingest(0, ["story.txt": "v1\n", "secret.txt": "a name\n"])
        try c.send(0, 1)
        _ = try c.ingest(0, ["story.txt": "v2a\n"])
        _ = try c.ingest(1, ["story.txt": "v2b\n"])
        _ = try c[0].sync(with: c[1])
        _ = try c[1].resolveFork(key: "story.txt", reference: try c[1].log(key: "story.txt")[0].hash)
        _ = try c[0].redact(hash: try c[0].resolve("secret.txt").blobHash, reason: "source protection")
        _ = try c[0].sync(with: c[1])

        let fingerprint = try keys.fingerprint(keys.ana)
        #expect(c[0].signingKey?.fingerprint == fingerprint)
        for archive in c.archives {
            let good = try archive.verify(record: false, allowedSigners: keys.anaSigners)
            #expect(good.isClean, "\(good.problems.map(\.description))")
            let kinds = Set(good.signatures.signed.map(\.kind))
            #expect(kinds.isSuperset(of: ["batch.close", "import", "redact", "merge"]), "\(kinds)")
            #expect(good.signatures.signed.allSatisfy { $0.status == "allowed" && $0.signer == "ana@example.org (\(fingerprint))" })
            #expect(good.signatures.keyChanges.isEmpty)
            let bad = try archive.verify(record: false, allowedSigners: keys.mallorySigners)
            #expect(!bad.isClean)
            #expect(bad.problems.contains { $0.area == "signature" && $0.message.contains("unknown key") })
            // Without a file, the signatures are still checked as signatures.
            #expect(try archive.verify(record: false).isClean)
        }
        // Every record is covered by a signature; provenance names it.
        let trail = try c[1].provenance(.document(key: "story.txt"))
        let origins: [RecordOrigin] = trail.versions.compactMap { $0.recorded }
        #expect(!origins.isEmpty)
        #expect(origins.allSatisfy { $0.signedBy == "ana@example.org (\(fingerprint))" }, "\(origins.map { $0.signedBy })")
    }

    @Test("events after the last signed one are an unsigned span; a copy that changes key is flagged")
    func spansAndKeyChanges() throws {
        let c = try Copies(1)
        let keys = try Keys(c.dir)
        _ = try c.ingest(0, ["a.txt": "one\n"])
        c[0].signingKey = try SigningKey(path: keys.ana, principal: "ana@example.org")
        _ = try c.ingest(0, ["a.txt": "two\n"])
        var report = try c[0].verify(record: false)
        #expect(report.signatures.unsignedSpans.isEmpty, "the signature of the second close covers the first batch too")
        c[0].signingKey = nil
        _ = try c.ingest(0, ["a.txt": "three\n"])
        report = try c[0].verify(record: false)
        let last = try c[0].stats().events
        #expect(report.signatures.unsignedSpans.count == 1)
        #expect(report.signatures.unsignedSpans.first?.hasSuffix("-\(last)") == true)
        c[0].signingKey = try SigningKey(path: keys.mallory, principal: "ana@example.org")
        _ = try c.ingest(0, ["a.txt": "four\n"])
        report = try c[0].verify(record: false, allowedSigners: keys.anaSigners)
        #expect(report.signatures.keyChanges.count == 1)
        #expect(report.signatures.keyChanges.first?.contains(try keys.fingerprint(keys.mallory)) == true)
        #expect(report.problems.contains { $0.area == "signature" && $0.message.contains("unknown key") })
    }

    /// A forged copy's chain of one redact event carrying `signature`, chained validly.
    private func signedRedactBundle(_ c: Copies, signature: (String, Int, String) throws -> JSON?, chainOver: ((JSON) -> JSON)? = nil) throws -> String {
        var forged = HostileBundle()
        var chain = HostileBundle.Chain()
        let payload: JSON = ["blob": .string(SHA256.hash(Array("gone\n".utf8)).hex), "size": 5, "reason": "takedown", "agent": "ana", "host": "h"]
        let at = "2026-12-01T00:00:00.000Z"
        let unsigned = SSHSignature.unsignedHash(previous: chain.hash, origin: chain.origin, seq: 1, kind: "redact", at: at, payload: payload)
        var fields = payload.objectValue!
        fields["signature"] = try signature(chain.origin, 1, unsigned)
        let signed = JSON.object(fields)
        if let chainOver {
            // The record carries `signed`, but its hash is over the other payload (a cut signature).
            forged.event(&chain, "redact", chainOver(signed).canonical, chainedOver: signed.canonical, at: at)
        } else {
            forged.event(&chain, "redact", signed, at: at)
        }
        let path = c.dir.file("forged-\(UUID().uuidString.prefix(6)).bundle")
        try Data(try forged.bytes()).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("an event whose signature was altered (chain recomputed), made by another key than it names, or cut, is refused and the archive is unchanged")
    func tamperedSignaturesRefused() throws {
        let c = try Copies(1)
        let keys = try Keys(c.dir)
        let ana = try SigningKey(path: keys.ana, principal: "ana@example.org")
        let mallory = try SigningKey(path: keys.mallory, principal: "ana@example.org")
        // Control: a validly signed forged-origin event is accepted.
        let good = try signedRedactBundle(c) { try ana.signatureField(origin: $0, seq: $1, hash: $2) }
        _ = try c[0].importBundle(at: good)
        #expect(try c[0].verify(record: false, allowedSigners: keys.anaSigners).isClean)
        let digest = try c[0].digest()
        let attacks: [(String, String)] = [
            (try signedRedactBundle(c) { origin, seq, _ in try ana.signatureField(origin: origin, seq: seq, hash: String(repeating: "0", count: 64)) },
             "does not verify"),
            (try signedRedactBundle(c) { origin, seq, hash in
                var field = try mallory.signatureField(origin: origin, seq: seq, hash: hash).objectValue!
                field["key"] = .string(ana.publicKey)
                return .object(field)
            }, "another key"),
            (try signedRedactBundle(c, signature: { try ana.signatureField(origin: $0, seq: $1, hash: $2) }, chainOver: { payload in
                var fields = payload.objectValue!
                fields["signature"] = nil
                return .object(fields)
            }), "does not link"),
        ]
        for (path, expected) in attacks {
            #expect(throws: QuireError.self) { try c[0].importBundle(at: path) }
            do { _ = try c[0].importBundle(at: path) } catch let error as QuireError {
                #expect(error.message.contains(expected), "\(error.message)")
            }
            #expect(try c[0].digest() == digest)
        }
    }
}
