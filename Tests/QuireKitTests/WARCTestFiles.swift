import Foundation
import SQLite
import TestSupport
@testable import QuireKit

/// Small WARC files made for one quirk each, and what an ingest of them recorded.
enum WARCTestFiles {
    /// A WARC record: its version line, the fields, Content-Length (the block's, unless given),
    /// an empty line, the block, and `separator`; lines end with `lineEnd`.
    static func record(_ fields: [(String, String)], block: [UInt8], version: String = "WARC/1.0", lineEnd: String = "\r\n",
                       separator: String = "\r\n\r\n", contentLength: Int? = nil) -> [UInt8] {
        var head = version + lineEnd
        for (name, value) in fields { head += "\(name): \(value)\(lineEnd)" }
        head += "Content-Length: \(contentLength ?? block.count)\(lineEnd)\(lineEnd)"
        return Array(head.utf8) + block + Array(separator.utf8)
    }

    /// A `response` record of an HTTP response at `uri`.
    static func response(_ uri: String, id: Int, date: String = "2020-01-01T00:00:00Z", status: String = "HTTP/1.1 200 OK",
                         headers: [(String, String)] = [("Content-Type", "text/html")], body: [UInt8], extra: [(String, String)] = [],
                         version: String = "WARC/1.0", separator: String = "\r\n\r\n", contentLength: Int? = nil) -> [UInt8] {
        record([("WARC-Type", "response"), ("WARC-Record-ID", recordID(id)), ("WARC-Date", date), ("WARC-Target-URI", uri),
                ("Content-Type", "application/http; msgtype=response")] + extra,
               block: http(status, headers, body), version: version, separator: separator, contentLength: contentLength)
    }

    /// A `revisit` record (identical-payload-digest profile) with the HTTP header of the revisit.
    static func revisit(_ uri: String, id: Int, date: String = "2020-02-01T00:00:00Z", fields: [(String, String)]) -> [UInt8] {
        record([("WARC-Type", "revisit"), ("WARC-Record-ID", recordID(id)), ("WARC-Date", date), ("WARC-Target-URI", uri),
                ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"),
                ("Content-Type", "application/http; msgtype=response")] + fields,
               block: http("HTTP/1.1 200 OK", [("Content-Type", "text/html")], []))
    }

    static func recordID(_ n: Int) -> String { String(format: "<urn:uuid:00000000-0000-0000-0000-%012d>", n) }

    static func http(_ status: String, _ headers: [(String, String)], _ body: [UInt8]) -> [UInt8] {
        var head = status + "\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    /// One gzip member holding `bytes` (gzip(1), so the members are made by another program).
    static func gzipMember(_ bytes: [UInt8]) throws -> [UInt8] {
        try runProcess("gzip", ["-c", "-n"], stdin: bytes).stdout
    }

    /// SHA-1 as WARC writes it (`sha1:` and base32), from Python's hashlib.
    static func warcSHA1(_ bytes: [UInt8]) throws -> String {
        let py = try runProcess("python3", ["-c", "import sys,hashlib,base64; print('sha1:' + base64.b32encode(hashlib.sha1(sys.stdin.buffer.read()).digest()).decode())"], stdin: bytes)
        return py.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// One sighting as recorded, with its supplied fields.
    struct Sighting {
        let path: String
        let key: String?
        let blob: String?
        let meaning: String
        let error: String?
        let fields: [(name: String, value: String)]

        func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }
        func value(_ name: String) -> String? { values(name).first }
        var quirks: [String] { values("warc_quirk") }
    }

    /// Writes `files` (name → bytes) into a folder, ingests it, and returns the report and the
    /// sightings in the order recorded.
    static func ingest(_ files: [(String, [UInt8])], into scratch: Scratch) throws -> (IngestReport, [Sighting]) {
        let folder = scratch.dir.file("in-\(UUID().uuidString.prefix(6))")
        for (name, bytes) in files { try scratch.dir.write((folder as NSString).lastPathComponent + "/" + name, bytes) }
        let report = try scratch.archive.ingest(paths: [folder], options: quietOptions())
        return (report, try sightings(scratch.archive, batch: report.batch))
    }

    static func sightings(_ archive: Archive, batch: String) throws -> [Sighting] {
        let rows = try archive.db.rows("""
            SELECT s.id, p.path, d.key, b.hash, s.meaning, s.error FROM sightings s JOIN paths p ON p.id = s.path
            JOIN batches bt ON bt.id = s.batch LEFT JOIN documents d ON d.id = s.document LEFT JOIN blobs b ON b.id = s.blob
            WHERE bt.uuid = ? ORDER BY s.id
            """, [batch]) { (id: $0.int(0), path: $0.text(1), key: $0.optionalText(2), blob: $0.optionalText(3), meaning: $0.text(4), error: $0.optionalText(5)) }
        return try rows.map { row in
            let fields = try archive.db.rows("SELECT name, value FROM supplied_fields WHERE sighting = ? ORDER BY rowid", [row.id]) { (name: $0.text(0), value: $0.text(1)) }
            return Sighting(path: row.path, key: row.key, blob: row.blob, meaning: row.meaning, error: row.error, fields: fields)
        }
    }
}
