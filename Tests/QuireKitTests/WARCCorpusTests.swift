import Foundation
import SQLite
import Testing
import TestSupport
@testable import QuireKit

/// Every real WARC and ARC file in ../shared/corpora (warc: warcio's own test files; warc-real:
/// crawler output from 14 projects, and repro/ with one quirk each) ingested, and compared record
/// by record with what warcio reads from it.
@Suite("WARC corpus against warcio")
struct WARCCorpusTests {
    static let corpora = ["warc", "warc-real"].map { sharedDirectory + "/corpora/" + $0 }

    /// A sighting as the archive holds it.
    struct Seen {
        let blob: String?
        let meaning: String
        let error: String?
    }

    /// One line of the summary: per folder of the corpus (its source project).
    struct Tally {
        var files = 0, complete = 0, records = 0, payloads = 0, archived = 0, failed = 0, revisits = 0, resolved = 0, otherFile = 0, pending = 0
    }

    @Test("a declared payload digest is called wrong exactly where `warcio check` says 'payload digest failed', of the records Quire archives")
    func payloadDigests() throws {
        try requireTool("warcio", check: ["warcio", "-h"])
        let scratch = try Scratch("warc-digests")
        var warcioFailed: Set<String> = []
        for corpus in Self.corpora {
            _ = try scratch.archive.ingest(paths: [corpus], options: quietOptions())
            for relative in filesUnder(corpus) where WARCIngest.isWARC(relative) {
                // Exit 1 when a digest fails; each record is "offset N WARC-Record-ID <id> TYPE", then what was found.
                let check = try runProcess("warcio", ["check", "-v", corpus + "/" + relative])
                var offset = "", type = ""
                for line in check.stdoutText.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    if line.hasPrefix("offset ") {
                        let parts = line.split(separator: " ")
                        offset = String(parts[1])
                        type = String(parts.last ?? "")
                    } else if line.hasPrefix("payload digest failed"), type == "response" || type == "resource" {
                        warcioFailed.insert("\(relative)#\(offset)")
                    }
                }
            }
        }
        var quireFailed: Set<String> = []
        try scratch.archive.db.forEach("""
            SELECT p.path FROM supplied_fields f JOIN sightings s ON s.id = f.sighting JOIN paths p ON p.id = s.path
            WHERE f.name = 'warc_quirk' AND f.value LIKE 'WARC-Payload-Digest % is not the payload''s %'
            """) { quireFailed.insert($0.text(0)) }
        #expect(warcioFailed.count >= 8, "\(warcioFailed.sorted())")
        #expect(quireFailed == warcioFailed, "only Quire: \(quireFailed.subtracting(warcioFailed).sorted()); only warcio: \(warcioFailed.subtracting(quireFailed).sorted())")
    }

    @Test("every record warcio reads is archived with warcio's payload bytes; every revisit resolves wherever its original is, or is pending when it is nowhere; no failures in files warcio reads to the end; partial captures never head a document with a whole one")
    func corpus() throws {
        try requireWarcio()
        let scratch = try Scratch("warc-corpus")
        var paths: [(relative: String, full: String, folder: String)] = []
        for corpus in Self.corpora {
            let name = (corpus as NSString).lastPathComponent
            let report = try scratch.archive.ingest(paths: [corpus], options: quietOptions(label: name))
            #expect(report.files > 0)
            for relative in filesUnder(corpus) where WARCIngest.isWARC(relative) {
                let folder = relative.contains("/") ? name + "/" + relative.split(separator: "/").first! : name
                paths.append((relative, corpus + "/" + relative, folder))
            }
        }
        var seen: [String: Seen] = [:]
        try scratch.archive.db.forEach("""
            SELECT p.path, b.hash, s.meaning, s.error FROM sightings s JOIN paths p ON p.id = s.path LEFT JOIN blobs b ON b.id = s.blob
            """) { seen[$0.text(0)] = Seen(blob: $0.optionalText(1), meaning: $0.text(2), error: $0.optionalText(3)) }

        let warcio = try warcioRead(paths.map(\.full))
        var tallies: [String: Tally] = [:]
        var otherFile: [String] = []
        for (file, read) in zip(paths, warcio) {
            var tally = tallies[file.folder] ?? Tally()
            tally.files += 1
            if read.complete { tally.complete += 1 }
            // A file warcio stops reading: its last record may be what made it stop.
            let records = read.complete ? read.records : Array(read.records.dropLast())
            let expectedFailures: Set<String> = []
            for record in records {
                let path = "\(file.relative)#\(record.offset)"
                tally.records += 1
                switch record.type {
                case "response", "resource":
                    tally.payloads += 1
                    guard let sighting = seen[path] else {
                        Issue.record("\(path): warcio reads a \(record.type) record that Quire did not record")
                        continue
                    }
                    if sighting.meaning == "failed" {
                        tally.failed += 1
                        Issue.record("\(path): failed: \(sighting.error ?? "")")
                    } else {
                        tally.archived += 1
                        #expect(sighting.blob == record.sha256, "\(path): Quire's payload differs from warcio's (\(record.size) bytes)")
                    }
                case "revisit":
                    tally.revisits += 1
                    let sighting = seen[path]
                    if let original = record.original {
                        if sighting?.meaning != "failed", sighting?.blob == original {
                            tally.resolved += 1
                        } else {
                            Issue.record("\(path): revisit of a payload in this file: \(sighting?.error ?? sighting?.blob ?? "not recorded")")
                        }
                    } else if let original = record.originalElsewhere {
                        // The original is in another file of the corpus (the same batch or an earlier one).
                        otherFile.append(path)
                        if sighting?.meaning != "failed" && sighting?.meaning != "pending" && sighting?.blob == original {
                            tally.otherFile += 1
                        } else {
                            Issue.record("\(path): revisit of a payload in another file: \(sighting?.meaning ?? "not recorded") \(sighting?.error ?? sighting?.blob ?? "")")
                        }
                    } else {
                        // The original is nowhere: a pending sighting, never a failure.
                        otherFile.append(path)
                        if sighting?.meaning == "pending" {
                            tally.pending += 1
                        } else {
                            Issue.record("\(path): revisit of a payload that is nowhere is not pending: \(sighting?.meaning ?? "not recorded")")
                        }
                    }
                default:
                    break
                }
            }
            if read.complete {
                for (path, sighting) in seen where path.hasPrefix(file.relative + "#") && sighting.meaning == "failed" && !expectedFailures.contains(path) {
                    Issue.record("\(path): failed in a file warcio reads to the end: \(sighting.error ?? "")")
                }
            }
            tallies[file.folder] = tally
        }
        print("WARC corpus against warcio 1.8 (folder: files [read to the end by warcio], records warcio reads, "
              + "payload records archived/failed, revisits resolved in their file / resolved in another file / pending, the original nowhere):")
        var total = Tally()
        for (folder, t) in tallies.sorted(by: { $0.key < $1.key }) {
            print("  \(folder): \(t.files) [\(t.complete)], \(t.records) records, payloads \(t.archived)/\(t.failed), revisits \(t.resolved)/\(t.otherFile)/\(t.pending)")
            total.files += t.files; total.complete += t.complete; total.records += t.records; total.archived += t.archived
            total.failed += t.failed; total.revisits += t.revisits; total.resolved += t.resolved; total.otherFile += t.otherFile
            total.pending += t.pending
        }
        print("  all: \(total.files) [\(total.complete)], \(total.records) records, payloads \(total.archived)/\(total.failed), "
              + "revisits \(total.resolved)/\(total.otherFile)/\(total.pending)")
        print("  revisits whose original is not in their file: \(otherFile.count)")
        #expect(total.failed == 0)
        #expect(total.revisits == total.resolved + total.otherFile + total.pending, "every revisit is resolved or pending")
        #expect(total.otherFile > 50, "the deduplicating crawls' revisits resolve against their batch")

        // Partial captures (non-2xx, truncated) are recorded, and never head a document that has a whole version.
        let partial = try scratch.archive.db.int("SELECT count(*) FROM versions WHERE partial IS NOT NULL") ?? 0
        let badHeads = try scratch.archive.db.rows("""
            SELECT d.key, h.partial FROM documents d JOIN versions h ON h.id = d.head
            WHERE h.partial IS NOT NULL AND EXISTS (SELECT 1 FROM versions v WHERE v.document = d.id AND v.partial IS NULL)
            """) { "\($0.text(0)): \($0.text(1))" }
        let statusMismatch = try scratch.archive.db.rows("""
            SELECT p.path FROM sightings s JOIN paths p ON p.id = s.path JOIN supplied_fields f ON f.sighting = s.id AND f.name = 'http_status'
            WHERE s.meaning <> 'failed' AND (CAST(f.value AS INTEGER) BETWEEN 200 AND 299) = coalesce(s.partial LIKE 'HTTP %', 0)
            """) { $0.text(0) }
        print("  partial versions (an HTTP status that is not 2xx, or truncated): \(partial)")
        #expect(partial > 0)
        #expect(badHeads.isEmpty, "partial heads over whole versions: \(badHeads.prefix(5))")
        #expect(statusMismatch.isEmpty, "sightings whose partial mark disagrees with their HTTP status: \(statusMismatch.prefix(5))")
        #expect(try scratch.archive.verify(record: false).isClean)
    }
}
