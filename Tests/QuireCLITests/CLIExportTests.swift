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

        let bag = dir.file("bag")
        let bagit = try quire(["-A", a, "export", "bagit", bag, "--organization", "Test Lab"])
        #expect(bagit.status == 0, "\(bagit.stderr)")
        let validate = try runProcess("bagit.py", ["--validate", bag])
        #expect(validate.status == 0, "\(validate.stderr)")
    }
}
