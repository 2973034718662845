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
        var files = 0, complete = 0, records = 0, payloads = 0, archived = 0, failed = 0, revisits = 0, resolved = 0, otherFile = 0
    }

    @Test("every record warcio reads is archived with warcio's payload bytes; revisits resolve within their file; no other failures in files warcio reads to the end")
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
            var expectedFailures: Set<String> = []
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
                    } else {
                        // The original is in another file (resolving those is the ingest's part).
                        tally.otherFile += 1
                        otherFile.append(path)
                        expectedFailures.insert(path)
                        #expect(sighting?.meaning == "failed" && sighting?.error?.contains("not in this file") == true, "\(path)")
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
              + "payload records archived/failed, revisits resolved in their file / with the original in another file):")
        var total = Tally()
        for (folder, t) in tallies.sorted(by: { $0.key < $1.key }) {
            print("  \(folder): \(t.files) [\(t.complete)], \(t.records) records, payloads \(t.archived)/\(t.failed), revisits \(t.resolved)/\(t.otherFile)")
            total.files += t.files; total.complete += t.complete; total.records += t.records; total.archived += t.archived
            total.failed += t.failed; total.revisits += t.revisits; total.resolved += t.resolved; total.otherFile += t.otherFile
        }
        print("  all: \(total.files) [\(total.complete)], \(total.records) records, payloads \(total.archived)/\(total.failed), "
              + "revisits \(total.resolved)/\(total.otherFile)")
        print("  revisits whose original is in another file: \(otherFile.count)")
        #expect(total.failed == 0)
        #expect(try scratch.archive.verify(record: false).isClean)
    }
}
