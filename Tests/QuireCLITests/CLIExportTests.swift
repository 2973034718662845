import Foundation
import Testing
import TestSupport

@Suite("CLI export")
struct CLIExportTests {
    @Test("export files, jsonl and bagit from the command line; usage mistakes exit 64")
    func export() throws {
        let dir = TemporaryDirectory("cli-export")
        let a = dir.file("a.quire")
        #expect(try quire(["-A", a, "ingest", "-q", "--batch", "d1", samples + "/day-1"]).status == 0)
        #expect(try quire(["-A", a, "ingest", "-q", "--batch", "d2", samples + "/day-2"]).status == 0)

        let files = try quire(["-A", a, "export", "files", dir.file("files"), "--batch", "d2", "--json"])
        #expect(files.status == 0, "\(files.stderr)")
        let report = try #require(try parseJSON(files) as? [String: Any])
        #expect(report["files"] as? Int == 3 && (report["skipped"] as? [Any])?.isEmpty == true)
        let check = try runProcess("sh", ["-c", "cd '\(dir.file("files"))' && find . -type f | sort | xargs sha256sum"])
        let original = try runProcess("sh", ["-c", "cd '\(samples)/day-2' && find . -type f | sort | xargs sha256sum"])
        #expect(check.stdoutText == original.stdoutText && !check.stdoutText.isEmpty)

        let again = try quire(["-A", a, "export", "files", dir.file("files")])
        #expect(again.status == 1 && again.stderr.contains("not empty"))
        let both = try quire(["-A", a, "export", "files", dir.file("x"), "--batch", "d1", "--as-of", "2026-01-01"])
        #expect(both.status == 64 && both.stderr.contains("Usage:"))
        #expect(try quire(["export"]).stdoutText.contains("bagit"))   // lists its subcommands
        #expect(try quire(["-A", a, "export", "tarball", dir.file("y")]).status == 64)

        let jsonl = try quire(["-A", a, "export", "jsonl", "--batch", "d1"])
        #expect(jsonl.status == 0)
        let lines = jsonl.stdoutText.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) is [String: Any] })
        // -o writes the same lines to a file, leaving no temporary file beside it.
        let jsonlFile = dir.file("versions.jsonl")
        #expect(try quire(["-A", a, "export", "jsonl", "--batch", "d1", "-o", jsonlFile]).status == 0)
        #expect(try readFile(jsonlFile) == jsonl.stdout)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".partial-") }.isEmpty)

        let bag = dir.file("bag")
        let bagit = try quire(["-A", a, "export", "bagit", bag, "--organization", "Test Lab"])
        #expect(bagit.status == 0, "\(bagit.stderr)")
        try requireTool("bagit.py", check: ["bagit.py", "--version"])
        let validate = try runProcess("bagit.py", ["--validate", bag])
        #expect(validate.status == 0, "\(validate.stderr)")
    }

    @Test("export warc: warcio check passes every digest; warcio index and cdxj-indexer list every record with its sha256")
    func warc() throws {
        let dir = TemporaryDirectory("cli-export")
        let a = dir.file("a.quire")
        #expect(try quire(["-A", a, "ingest", "-q", "--batch", "d1", samples + "/day-1"]).status == 0)
        #expect(try quire(["-A", a, "ingest", "-q", "--batch", "d2", samples + "/day-2"]).status == 0)
        let out = dir.file("out.warc.gz")
        let made = try quire(["-A", a, "export", "warc", out, "--json"])
        #expect(made.status == 0, "\(made.stderr)")
        let report = try #require(try parseJSON(made) as? [String: Any])
        // Six distinct blobs; the wire copy and the unchanged library page are revisits.
        #expect(report["resources"] as? Int == 6 && report["revisits"] as? Int == 2 && report["records"] as? Int == 9)

        let check = try runProcess("warcio", ["check", "-v", out])
        #expect(check.status == 0, "\(check.stdoutText)\(check.stderr)")
        #expect(check.stdoutText.components(separatedBy: "digest pass").count - 1 == 7)   // warcinfo and six resources

        let index = try runProcess("warcio", ["index", "-f", "warc-type,warc-target-uri,warc-payload-digest", out])
        #expect(index.status == 0)
        let records = index.stdoutText.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        #expect(records.count == 9)
        #expect(records.filter { $0["warc-type"] == "resource" }.count == 6)
        #expect(records.filter { $0["warc-type"] == "revisit" }.count == 2)
        let ferry = try #require(records.first { $0["warc-target-uri"] == "https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks" })
        let day1 = String(try runProcess("sha256sum", [samples + "/day-1/harbour-gazette/ferry-strike-talks.txt"]).stdoutText.prefix(64))
        #expect(ferry["warc-payload-digest"] == "sha256:" + day1)

        try requireTool("cdxj-indexer", check: ["cdxj-indexer", "--help"])
        let cdxj = try runProcess("cdxj-indexer", [out])
        #expect(cdxj.status == 0, "\(cdxj.stderr)")
        let lines = cdxj.stdoutText.split(separator: "\n")
        #expect(lines.count == 8)   // every record but warcinfo
        #expect(lines.contains { $0.contains("\"digest\": \"sha256:\(day1)\"") })

        // Only one batch.
        let second = dir.file("d2.warc.gz")
        let d2 = try #require(try parseJSON(try quire(["-A", a, "export", "warc", second, "--batch", "d2", "--json"])) as? [String: Any])
        #expect(d2["resources"] as? Int == 3 && d2["revisits"] as? Int == 0)
        #expect(try runProcess("warcio", ["check", second]).status == 0)
    }
}

