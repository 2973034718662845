import Foundation
import Testing
import TestSupport

/// The one rule for path keys (docs/keys.md), where each sighting was read from, counts that add
/// up, and inputs that do not exist, all through the real binary.
@Suite("CLI path keys and sightings' roots")
struct CLIPathKeyTests {
    /// Keys of `quire ls` on `archive`.
    func keys(_ archive: String) throws -> [String] {
        let docs = try #require(try parseJSON(try quire(["-A", archive, "ls", "--json"])) as? [[String: Any]])
        return docs.compactMap { $0["key"] as? String }
    }

    /// A tree `s/tech/00N.txt`, `s/sport/00N.txt` (N = 1…3) in a new folder.
    func tree() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory("keys")
        for i in 1...3 {
            try dir.write("s/tech/00\(i).txt", "tech story \(i)\n")
            try dir.write("s/sport/00\(i).txt", "sport story \(i)\n")
        }
        return dir
    }

    @Test("a glob, a folder and a path list on stdin give the same keys; distinct files never share one")
    func sameKeysHoweverNamed() throws {
        let dir = try tree()
        let glob = try runProcess("bash", ["-c", "\"$0\" -A glob.quire ingest -q --key path s/tech/0*.txt", quireBinary], currentDirectory: dir.path)
        #expect(glob.status == 0, "\(glob.stderr)")
        let folder = try quire(["-A", "folder.quire", "ingest", "-q", "--key", "path", "s/tech"], cwd: dir.path)
        #expect(folder.status == 0, "\(folder.stderr)")
        let list = try runProcess("bash", ["-c", "find s/tech -type f | sort | \"$0\" -A stdin.quire ingest -q --key path -", quireBinary], currentDirectory: dir.path)
        #expect(list.status == 0, "\(list.stderr)")
        // From another working directory, by absolute paths: the same keys again.
        let absolute = try quire(["-A", dir.file("abs.quire"), "ingest", "-q", "--key", "path", dir.file("s/tech/001.txt"), dir.file("s/tech/002.txt"), dir.file("s/tech/003.txt")], cwd: "/")
        #expect(absolute.status == 0, "\(absolute.stderr)")
        let expected = ["001.txt", "002.txt", "003.txt"]
        for archive in ["glob", "folder", "stdin", "abs"] { #expect(try keys(dir.file("\(archive).quire")) == expected, "\(archive)") }

        // Files of two subfolders named together are keyed inside the folder holding both, as
        // when that folder is given: s/tech/001.txt and s/sport/001.txt stay two documents.
        let wide = try runProcess("bash", ["-c", "\"$0\" -A wide.quire ingest -q --key path s/*/*.txt", quireBinary], currentDirectory: dir.path)
        #expect(wide.status == 0, "\(wide.stderr)")
        #expect(try quire(["-A", "whole.quire", "ingest", "-q", "--key", "path", "s"], cwd: dir.path).status == 0)
        let both = ["sport/001.txt", "sport/002.txt", "sport/003.txt", "tech/001.txt", "tech/002.txt", "tech/003.txt"]
        #expect(try keys(dir.file("wide.quire")) == both)
        #expect(try keys(dir.file("whole.quire")) == both)

        // An edited copy ingested by glob into the folder's archive: versions, not new documents.
        try dir.write("s/tech/002.txt", "tech story 2, corrected\n")
        let again = try runProcess("bash", ["-c", "\"$0\" -A folder.quire ingest --json --key path s/tech/0*.txt", quireBinary], currentDirectory: dir.path)
        let report = try #require(try parseJSON(again) as? [String: Any])
        #expect(report["counts"] as? [String: Int] == ["new": 0, "version": 1, "duplicate": 0, "unchanged": 2, "failed": 0, "pending": 0])
    }

    @Test("a batch of two folders records which folder each file came from and exports back exactly")
    func twoFolders() throws {
        let dir = TemporaryDirectory("keys")
        let archive = dir.file("s.quire")
        #expect(try quire(["-A", archive, "ingest", "-q", "--batch", "both", samples + "/day-1", samples + "/day-2"]).status == 0)
        let key = "https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks"
        // log, show and provenance name the full path each version was read from.
        let log = try quire(["-A", archive, "log", key]).stdoutText
        #expect(log.contains("from \(samples)/day-1/harbour-gazette/ferry-strike-talks.txt"))
        #expect(log.contains("from \(samples)/day-2/harbour-gazette/ferry-strike-talks.txt"))
        let show = try quire(["-A", archive, "show", key + "@1"]).stdoutText
        #expect(show.contains("\(samples)/day-1/harbour-gazette/ferry-strike-talks.txt"))
        let provenance = try #require(try parseJSON(try quire(["-A", archive, "provenance", key, "--json"])) as? [String: Any])
        let text = String(decoding: try JSONSerialization.data(withJSONObject: provenance), as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
        #expect(text.contains("\(samples)/day-2/harbour-gazette/ferry-strike-talks.txt"))

        // export files --batch rebuilds the batch: all 8 files, each under its folder, byte for byte.
        let out = dir.file("out")
        let export = try quire(["-A", archive, "export", "files", out, "--batch", "both"])
        #expect(export.status == 0, "\(export.stderr)")
        var written: [String] = []
        let walker = FileManager.default.enumerator(atPath: out)
        while let name = walker?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: out + "/" + name, isDirectory: &isDir), !isDir.boolValue { written.append(name) }
        }
        #expect(written.count == 8)
        for name in written {
            #expect(try readFile(out + "/" + name) == readFile(samples + "/" + name), "\(name)")
        }
    }

    @Test("counts add up: new documents are what ls gains, bytes already stored are counted apart")
    func countsAddUp() throws {
        let dir = TemporaryDirectory("keys")
        let archive = dir.file("s.quire")
        let r = try quire(["-A", archive, "ingest", "--json", samples + "/day-1", samples + "/day-2"])
        let report = try #require(try parseJSON(r) as? [String: Any])
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(counts["new"] == 6 && counts["version"] == 1 && counts["unchanged"] == 1 && counts["duplicate"] == 0)
        #expect(report["already_stored"] as? Int == 1)
        #expect(try keys(archive).count == counts["new"])

        // A changed file whose new bytes are already stored under another key is a version of its
        // own document (its sighting says the bytes were held), not a 'duplicate' of the other.
        try dir.write("a/one.txt", "first text\n")
        try dir.write("a/two.txt", "second text\n")
        #expect(try quire(["-A", dir.file("k.quire"), "ingest", "-q", "--key", "path", dir.file("a")]).status == 0)
        try dir.write("a/two.txt", "first text\n")
        let changed = try #require(try parseJSON(try quire(["-A", dir.file("k.quire"), "ingest", "--json", "--key", "path", dir.file("a")])) as? [String: Any])
        #expect(changed["counts"] as? [String: Int] == ["new": 0, "version": 1, "duplicate": 0, "unchanged": 1, "failed": 0, "pending": 0])
        #expect(changed["already_stored"] as? Int == 1)
        let log = try quire(["-A", dir.file("k.quire"), "log", "two.txt"]).stdoutText
        #expect(log.contains("@2"))
        let show = try quire(["-A", dir.file("k.quire"), "show", "two.txt@2"]).stdoutText
        #expect(show.contains("version (bytes already stored)"))
    }

    @Test("an input that does not exist: exit 1 naming it, no archive created, an existing one unchanged")
    func missingInput() throws {
        let dir = TemporaryDirectory("keys")
        let fresh = dir.file("fresh.quire")
        let r = try quire(["-A", fresh, "ingest", dir.file("nonexistent")])
        #expect(r.status == 1)
        #expect(r.stderr.contains("nonexistent") && r.stderr.contains("nothing was recorded"))
        #expect(!FileManager.default.fileExists(atPath: fresh))

        let archive = dir.file("s.quire")
        #expect(try quire(["-A", archive, "ingest", "-q", samples + "/day-1"]).status == 0)
        let digest = try quire(["-A", archive, "digest"]).stdoutText
        let batches = try quire(["-A", archive, "batches", "--json"]).stdoutText
        // One missing input among good ones refuses the whole run.
        let mixed = try quire(["-A", archive, "ingest", samples + "/day-2", dir.file("typo")])
        #expect(mixed.status == 1 && mixed.stderr.contains("typo"))
        #expect(try quire(["-A", archive, "digest"]).stdoutText == digest)
        #expect(try quire(["-A", archive, "batches", "--json"]).stdoutText == batches)
        // An empty path list on stdin records nothing either.
        let empty = try quire(["-A", archive, "ingest", "-"], stdin: [])
        #expect(empty.status != 0 && empty.stderr.contains("nothing was recorded"))
        #expect(try quire(["-A", archive, "batches", "--json"]).stdoutText == batches)
    }

    @Test("keys recorded by the older rule keep working: a file named as before continues its document")
    func olderKeys() throws {
        let dir = try tree()
        // Before schema 13, `ingest s/tech/001.txt` keyed the file "s/tech/001.txt"; a document
        // with that key (here made by ingesting the working directory) goes on under it.
        #expect(try quire(["-A", "a.quire", "ingest", "-q", "--key", "path", "."], cwd: dir.path).status == 0)
        #expect(try keys(dir.file("a.quire")).contains("s/tech/001.txt"))
        try dir.write("s/tech/001.txt", "tech story 1, updated\n")
        let r = try #require(try parseJSON(try quire(["-A", "a.quire", "ingest", "--json", "--key", "path", "s/tech/001.txt"], cwd: dir.path)) as? [String: Any])
        #expect(r["counts"] as? [String: Int] == ["new": 0, "version": 1, "duplicate": 0, "unchanged": 0, "failed": 0, "pending": 0])
        #expect(!(try keys(dir.file("a.quire")).contains("001.txt")))
        // Old archives' sightings (no root recorded) still show their path: the migration kept them.
        let log = try quire(["-A", dir.file("a.quire"), "log", "s/tech/001.txt"])
        #expect(log.status == 0 && log.stdoutText.contains("@2"))
    }
}
