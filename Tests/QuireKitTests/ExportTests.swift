import Foundation
import SQLite
import Testing
import TestSupport
@testable import QuireKit

@Suite("Export")
struct ExportTests {
    let samples = repositoryRoot + "/Archives/samples"

    /// The samples as two batches, "d1" and "d2".
    private func twoDays() throws -> Scratch {
        let scratch = try Scratch()
        _ = try scratch.archive.ingest(paths: [samples + "/day-1"], options: quietOptions(label: "d1"))
        _ = try scratch.archive.ingest(paths: [samples + "/day-2"], options: quietOptions(label: "d2"))
        return scratch
    }

    @Test("files of a batch come out byte-identical under their relative paths (sha256sum agrees)")
    func batchFiles() throws {
        let scratch = try twoDays()
        let out = scratch.dir.file("out")
        let report = try scratch.archive.exportFiles(.batch("d1"), to: out)
        #expect(report.skipped.isEmpty)
        #expect(filesUnder(out) == filesUnder(samples + "/day-1"))
        for path in filesUnder(out) {
            #expect(try sha256sum(out + "/" + path) == sha256sum(samples + "/day-1/" + path), "\(path)")
        }
        #expect(report.files == 5)
    }

    @Test("heads now and as of a date; odd names kept exactly")
    func heads() throws {
        let scratch = try twoDays()
        let now = scratch.dir.file("now")
        _ = try scratch.archive.exportFiles(.heads, to: now)
        let ferry = "harbour-gazette/ferry-strike-talks.txt"
        #expect(try readFile(now + "/" + ferry) == readFile(samples + "/day-2/" + ferry))
        #expect(filesUnder(now).count == 6)   // six documents, each at the path it was last seen at
        let secondBatch = try #require(try scratch.archive.batches().last?.startedAt)
        let before = scratch.dir.file("before")
        _ = try scratch.archive.exportFiles(.headsAsOf(secondBatch), to: before)
        #expect(try readFile(before + "/" + ferry) == readFile(samples + "/day-1/" + ferry))
        #expect(!FileManager.default.fileExists(atPath: before + "/metro-daily/transit-fares.html"))

        // A name with a space, a newline and a byte that is not UTF-8.
        let odd = try Scratch()
        let dir = odd.dir.file("odd")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let name: [UInt8] = Array("a b\nc".utf8) + [0xE9] + Array(".txt".utf8)
        let fd = open((Array(dir.utf8) + [UInt8(ascii: "/")] + name + [0]).map { CChar(bitPattern: $0) }, O_WRONLY | O_CREAT, 0o644)
        _ = write(fd, "odd\n", 4)
        close(fd)
        _ = try odd.archive.ingest(paths: [dir], options: quietOptions())
        let out = odd.dir.file("out")
        #expect(try odd.archive.exportFiles(.heads, to: out).files == 1)
        let listed = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(listed.count == 1)
        let fd2 = open((Array(out.utf8) + [UInt8(ascii: "/")] + name + [0]).map { CChar(bitPattern: $0) }, O_RDONLY)
        #expect(fd2 >= 0)
        close(fd2)
    }

    @Test("paths that would escape, redacted content and a non-empty folder are refused")
    func refusals() throws {
        let scratch = try twoDays()
        let nonEmpty = scratch.dir.file("full")
        _ = try scratch.dir.write("full/x", "x")
        #expect(throws: QuireError.self) { try scratch.archive.exportFiles(.heads, to: nonEmpty) }
        #expect(throws: QuireError.self) { try scratch.archive.exportFiles(.batch("no such batch"), to: scratch.dir.file("none")) }

        let storm = try scratch.archive.resolve("coastal-wire/storm-warning.txt").blobHash
        try scratch.archive.redact(hash: storm, reason: "test")
        let db = try Database(path: scratch.path)
        try db.run("UPDATE paths SET path = '../escape.txt' WHERE path = 'valley-times/bridge-reopens.txt'")
        try db.run("UPDATE paths SET path = '/abs.txt' WHERE path = 'wire-desk/valley-bridge-reopens.txt'")
        let out = scratch.dir.file("inside/out")
        let report = try scratch.archive.exportFiles(.batch("d1"), to: out)
        #expect(Set(report.skipped.map(\.path)) == ["../escape.txt", "coastal-wire/storm-warning.txt"])
        #expect(report.skipped.first { $0.path == "coastal-wire/storm-warning.txt" }?.reason.contains("redacted") == true)
        #expect(!FileManager.default.fileExists(atPath: scratch.dir.file("inside/escape.txt")))
        #expect(!FileManager.default.fileExists(atPath: "/abs.txt"))
        // A file ingested by its absolute name is written under the folder, never at that name.
        #expect(FileManager.default.fileExists(atPath: out + "/abs.txt"))
        #expect(report.files == 3)
    }

    @Test("a BagIt bag that bagit.py validates, and that fails validation once a payload byte changes")
    func bagit() throws {
        let scratch = try twoDays()
        let bag = scratch.dir.file("bag")
        let report = try scratch.archive.exportBagIt(.heads, to: bag, organization: "Harbour Research Group")
        #expect(report.files == 6 && report.skipped.isEmpty)
        try requireTool("bagit.py", check: ["bagit.py", "--version"])
        let validate = try runProcess("bagit.py", ["--validate", bag])
        #expect(validate.status == 0, "\(validate.stderr)")
        let info = String(decoding: try readFile(bag + "/bag-info.txt"), as: UTF8.self)
        #expect(info.contains("Payload-Oxum: \(report.bytes).6"))
        #expect(info.contains("External-Identifier: \(scratch.archive.id)"))
        #expect(info.contains("Source-Organization: Harbour Research Group"))
        #expect(info.contains("Bag-Software-Agent: \(Identity.tool)"))
        let provenance = String(decoding: try readFile(bag + "/quire-provenance.jsonl"), as: UTF8.self).split(separator: "\n")
        #expect(provenance.count == 6)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(provenance[0].utf8)) as? [String: Any])
        #expect(first["original_path"] != nil && (first["sightings"] as? [Any])?.isEmpty == false)
        // Damage one payload file: the real validator must notice.
        let victim = bag + "/data/" + (try #require(filesUnder(bag + "/data").first))
        var bytes = try readFile(victim)
        bytes[0] ^= 0x20
        try Data(bytes).write(to: URL(fileURLWithPath: victim))
        #expect(try runProcess("bagit.py", ["--validate", bag]).status != 0)
    }

    @Test("JSON Lines: one line per version with metadata and sightings; --batch narrows it")
    func jsonl() throws {
        let scratch = try twoDays()
        var lines: [String] = []
        let count = try scratch.archive.exportJSONL { lines.append($0) }
        let versions = try scratch.archive.stats().versions
        #expect(count == lines.count && count == versions)
        let parsed = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(parsed.allSatisfy { $0["metadata"] is [String: Any] && ($0["sightings"] as? [Any])?.isEmpty == false })
        let ferry = try #require(parsed.first { ($0["key"] as? String)?.contains("ferry-strike") == true && $0["n"] as? Int == 2 })
        #expect((ferry["metadata"] as? [String: Any])?["title"] as? String == "Ferry crews and operator reach tentative deal, crossings to resume Saturday")
        var second: [String] = []
        try scratch.archive.exportJSONL(batch: "d2") { second.append($0) }
        #expect(second.count == 3)
    }
}
