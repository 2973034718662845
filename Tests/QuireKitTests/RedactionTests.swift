import Foundation
import SQLite
import Testing
import TestSupport
@testable import QuireKit

/// The archive file and its write-ahead log, as bytes.
private func fileBytes(_ archive: Archive) throws -> [UInt8] {
    var out = try readFile(archive.path)
    if FileManager.default.fileExists(atPath: archive.path + "-wal") { out += try readFile(archive.path + "-wal") }
    return out
}

private func contains(_ haystack: [UInt8], _ needle: ArraySlice<UInt8>) -> Bool {
    guard let first = needle.first, haystack.count >= needle.count else { return false }
    var i = 0
    while i <= haystack.count - needle.count {
        if haystack[i] == first && haystack[i..<i + needle.count].elementsEqual(needle) { return true }
        i += 1
    }
    return false
}

/// Copy 0 with one incompressible (raw-stored) file, `secret.bin`, and a text file.
private func secretFixture(copies: Int = 1) throws -> (c: Copies, secret: [UInt8], hash: String) {
    let c = try Copies(copies)
    var random = SeededRandom(seed: 99)
    let secret = random.bytes(5000)
    _ = try c.dir.write("in/secret.bin", secret)
    _ = try c.dir.write("in/note.txt", "a note that stays\n")
    _ = try c[0].ingest(paths: [c.dir.file("in")], options: quietOptions(label: "first"))
    return (c, secret, try c[0].resolve("secret.bin").blobHash)
}

@Suite("Redaction")
struct RedactionTests {
    @Test("redact deletes the bytes from the file, keeps hash, sightings and provenance, and cat says who and why")
    func redactHere() throws {
        let (c, secret, hash) = try secretFixture()
        let window = secret[1000..<1064]
        #expect(contains(try fileBytes(c[0]), window))
        let record = try c[0].redact(hash: hash, reason: "court order 12/2026", agent: "editor@desk")
        #expect(record.action == "redact" && record.reason == "court order 12/2026" && record.agent == "editor@desk")
        #expect(!contains(try fileBytes(c[0]), window), "the redacted bytes are still in the archive file")
        #expect(try c[0].custody(blob: hash) == .redacted)
        #expect(try c[0].blobInfo(hash: hash)?.size == secret.count)
        #expect(try c[0].sightings(blob: hash).count == 1)
        do {
            _ = try c[0].blobBytes(hash: hash)
            Issue.record("cat of a redacted blob succeeded")
        } catch let error as QuireError {
            #expect(error.code == .redacted)
            #expect(error.message.contains("editor@desk") && error.message.contains("court order 12/2026"))
        }
        let trail = try c[0].provenance(.blob(hash: hash))
        #expect(trail.sightings.count == 1 && trail.redactions.map(\.action) == ["redact"])
        // verify calls it redacted, not damaged.
        let report = try c[0].verify(record: false)
        #expect(report.isClean, "\(report.problems)")
        #expect(report.redacted == [hash])
        // The other file is untouched.
        #expect(try c[0].blobBytes(hash: c[0].resolve("note.txt").blobHash) == Array("a note that stays\n".utf8))
    }

    @Test("ingesting the same bytes again records the sighting but does not bring them back")
    func reingestDoesNotRestore() throws {
        let (c, secret, hash) = try secretFixture()
        try c[0].redact(hash: hash, reason: "takedown")
        _ = try c.dir.write("again/copy-of-secret.bin", secret)
        let report = try c[0].ingest(paths: [c.dir.file("again")], options: quietOptions(label: "again"))
        #expect(report.counts["new"] == 1 && report.alreadyStored == 1)
        #expect(try c[0].custody(blob: hash) == .redacted)
        #expect(try c[0].sightings(blob: hash).count == 2)
        #expect(try c[0].verify(record: false).isClean)
    }

    @Test("redacting a blob other versions are compressed against re-encodes them first")
    func redactBase() throws {
        let c = try Copies(1)
        var text = "A long story about the harbour and the ships that came in that winter.\n"
        var texts: [String] = []
        for round in 0..<4 {
            text += "Update \(round): the port authority said more today.\n"
            texts.append(text)
            _ = try c.ingest(0, ["story.txt": text], label: "r\(round)")
        }
        let log = try c[0].log(key: "story.txt")
        #expect(try c[0].blobInfo(hash: log[2].blob)?.base == log[1].blob)
        try c[0].redact(hash: log[1].blob, reason: "error in version 2")
        for (i, v) in log.enumerated() where i != 1 {
            #expect(try c[0].blobBytes(hash: v.blob) == Array(texts[i].utf8))
        }
        #expect(try c[0].blobInfo(hash: log[2].blob)?.base == log[0].blob)
        #expect(try c[0].verify(record: false).isClean)
    }

    @Test("a redaction from another copy hides the content at once and quarantines the bytes; purge and reinstate are local and recorded")
    func quarantineAcrossCopies() throws {
        let (c, secret, hash) = try secretFixture(copies: 4)
        try c.send(0, 1)
        try c.send(0, 2)
        #expect(try c[1].blobBytes(hash: hash) == secret)
        try c[0].redact(hash: hash, reason: "legal request")
        try c.send(0, 1)
        try c.send(0, 2)
        for i in [1, 2] {
            #expect(try c[i].custody(blob: hash) == .quarantined)
            #expect(throws: QuireError.self) { _ = try c[i].blobBytes(hash: hash) }
            #expect(try c[i].quarantinedBlobs() == [hash])
        }
        // A copy that never held the bytes gets the hash and size, never the bytes, even from a copy holding them in quarantine.
        let viaQuarantine = try c.send(1, 3, all: true)
        #expect(viaQuarantine.blobsAdded == 2)
        #expect(try c[3].custody(blob: hash) == .redacted)
        #expect(try c[3].blobInfo(hash: hash)?.size == secret.count)
        #expect(try c[3].verify(record: false).isClean)

        // Copy 1 purges: the bytes go, recorded.
        #expect(try c[1].purge() == [hash])
        #expect(try c[1].custody(blob: hash) == .redacted)
        #expect(!contains(try fileBytes(c[1]), secret[2000..<2064]))
        // Copy 2 overrules: it serves the bytes again.
        try c[2].reinstate(hash: hash, reason: "public interest")
        #expect(try c[2].blobBytes(hash: hash) == secret)
        // Each decision is recorded and travels, but changes nothing in other copies.
        try c.send(1, 0)
        try c.send(2, 0)
        #expect(try c[0].redactionLog(blob: hash).map(\.action) == ["redact", "purge", "reinstate"])
        #expect(try c[0].custody(blob: hash) == .redacted)
        try c.send(0, 2)
        #expect(try c[2].custody(blob: hash) == .held)
        // Replaying the log gives the same custody in each copy.
        for i in 0..<4 {
            let before = try c[i].custody(blob: hash)
            try c[i].rebuildDerivedState()
            #expect(try c[i].custody(blob: hash) == before)
        }
    }

    @Test("copies converge on the same digest whether they deleted, quarantined or never held the bytes")
    func digestConverges() throws {
        let (c, _, hash) = try secretFixture(copies: 3)
        try c.send(0, 1)
        try c[0].redact(hash: hash, reason: "takedown")
        for _ in 0..<2 {
            for a in 0..<3 { for b in 0..<3 where a != b { try c.send(a, b) } }
        }
        #expect(try c[0].custody(blob: hash) == .redacted)
        #expect(try c[1].custody(blob: hash) == .quarantined)
        #expect(try c[2].custody(blob: hash) == .redacted)
        let digests = try (0..<3).map { try c[$0].digest() }
        #expect(Set(digests).count == 1)
    }

    @Test("bad redaction requests change nothing")
    func badRequests() throws {
        let (c, _, hash) = try secretFixture()
        let digest = try c[0].digest()
        #expect(throws: QuireError.self) { try c[0].redact(hash: hash, reason: "  ") }
        #expect(throws: QuireError.self) { try c[0].redact(hash: String(repeating: "0", count: 64), reason: "x") }
        #expect(throws: QuireError.self) { try c[0].reinstate(hash: hash) }
        #expect(throws: QuireError.self) { try c[0].purge(hashes: [hash]) }
        #expect(try c[0].digest() == digest)
        try c[0].redact(hash: hash, reason: "once")
        let after = try c[0].digest()
        #expect(throws: QuireError.self) { try c[0].redact(hash: hash, reason: "twice") }
        #expect(throws: QuireError.self) { try c[0].reinstate(hash: hash) }
        #expect(try c[0].digest() == after)
    }

    @Test("a bundle that sends a blob without bytes and no redaction of it is refused")
    func stubWithoutRedaction() throws {
        let (c, secret, hash) = try secretFixture(copies: 2)
        let path = c.dir.file("plain.bundle")
        _ = try c[0].writeBundle(base: ArchiveState(), to: path)
        var bundle = try BundleBytes(try readFile(path))
        let index = try #require(bundle.records.firstIndex { $0.type == UInt8(ascii: "B") && $0.body.count == 32 + secret.count })
        bundle.records[index] = .init(type: UInt8(ascii: "R"), body: Array(bundle.records[index].body[0..<32]) + bigEndian(UInt64(secret.count), bytes: 8))
        bundle.headerObject["records_bytes"] = bundle.body.count
        let forged = c.dir.file("forged.bundle")
        try Data(try bundle.bytes()).write(to: URL(fileURLWithPath: forged))
        let digest = try c[1].digest()
        #expect { _ = try c[1].importBundle(at: forged) } throws: { error in
            (error as? QuireError)?.message.contains("no redaction") ?? false
        }
        #expect(try c[1].digest() == digest)
        #expect(try c[1].blobInfo(hash: hash) == nil)
    }
}
