import CorpusGenerator
import Foundation
import Hashing
import Testing
import TestSupport

@Suite("CLI on an archive")
struct CLIArchiveTests {
    /// An archive of the project's samples.
    func sampleArchive() throws -> (TemporaryDirectory, String) {
        let dir = TemporaryDirectory("cli")
        let path = dir.file("s.quire")
        let r = try quire(["-A", path, "ingest", "--batch", "samples", samples + "/day-1", samples + "/day-2"])
        #expect(r.status == 0, "\(r.stderr)")
        return (dir, path)
    }

    @Test("ingest reports its counts in text and in JSON")
    func ingestOutput() throws {
        let dir = TemporaryDirectory("cli")
        let path = dir.file("s.quire")
        let text = try quire(["-A", path, "ingest", samples + "/day-1", samples + "/day-2"])
        #expect(text.status == 0)
        #expect(text.stderr.contains("Created archive"))
        #expect(text.stdoutText.contains("new 6, version 1, unchanged 1, failed 0"))
        #expect(text.stdoutText.contains("6 new blobs stored in") && text.stdoutText.contains("1 file (new or changed) had bytes already stored"))
        let json = try quire(["-A", path, "ingest", "--json", samples + "/day-2"])
        #expect(!json.stderr.contains("Created archive"))
        let report = try #require(try parseJSON(json) as? [String: Any])
        #expect(Set(report.keys) == ["batch", "label", "files", "records", "bytes", "new_blobs", "stored_bytes", "counts", "already_stored", "failures", "skipped", "quarantined", "pending", "seconds"])
        #expect(report["counts"] as? [String: Int] == ["new": 0, "version": 0, "duplicate": 0, "unchanged": 3, "failed": 0, "pending": 0])
        let quiet = try quire(["-A", path, "ingest", "-q", samples + "/day-2"])
        #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty)
    }

    @Test("cat prints the exact bytes: sha256sum of the output is the hash, for every blob")
    func catEveryBlob() throws {
        let (dir, path) = try sampleArchive()
        defer { withExtendedLifetime(dir) {} }
        let docs = try #require(try parseJSON(try quire(["-A", path, "ls", "--json"])) as? [[String: Any]])
        #expect(docs.count == 6)
        for doc in docs {
            let key = try #require(doc["key"] as? String)
            let log = try #require(try parseJSON(try quire(["-A", path, "log", key, "--json"])) as? [String: Any])
            for version in try #require(log["versions"] as? [[String: Any]]) {
                let blob = try #require(version["blob"] as? String)
                let n = try #require(version["n"] as? Int)
                for ref in [blob, String(blob.prefix(8)), "\(key)@\(n)"] {
                    let r = try quire(["-A", path, "cat", ref])
                    #expect(r.status == 0)
                    let piped = try runProcess("sha256sum", [], stdin: r.stdout)
                    #expect(piped.stdoutText.hasPrefix(blob), "\(ref)")
                }
            }
        }
        let file = samples + "/day-2/harbour-gazette/ferry-strike-talks.txt"
        #expect(try quire(["-A", path, "cat", "https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks"]).stdout == readFile(file))
    }

    @Test("--json shapes of ls, log, show, batches and stats")
    func jsonShapes() throws {
        let (dir, path) = try sampleArchive()
        defer { withExtendedLifetime(dir) {} }
        let ls = try #require(try parseJSON(try quire(["-A", path, "ls", "--json"])) as? [[String: Any]])
        #expect(Set(ls[0].keys) == ["key", "title", "head", "head_blob", "size", "versions", "heads", "last_seen"])
        let log = try #require(try parseJSON(try quire(["-A", path, "log", "https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks", "--json"])) as? [String: Any])
        let versions = try #require(log["versions"] as? [[String: Any]])
        #expect(versions.count == 2)
        #expect(Set(versions[0].keys) == ["key", "n", "version", "blob", "size", "parents", "created_at", "head", "current", "batch", "batch_label", "path", "same_text", "trivial", "partial"])
        let show = try #require(try parseJSON(try quire(["-A", path, "show", "https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks@1", "--json"])) as? [String: Any])
        #expect(show["type"] as? String == "version")
        #expect(Set(show.keys) == ["type", "version", "blob", "sightings", "article"])
        // The metadata read from the article, each field with its extractor.
        let article = try #require(show["article"] as? [String: Any])
        #expect(article["kind"] as? String == "text" && article["encoding"] as? String == "utf-8")
        let fields = try #require(article["fields"] as? [[String: Any]])
        #expect(fields.contains { $0["name"] as? String == "url" && $0["value"] as? String == "https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks" && $0["extractor"] as? String == "text/2" })
        #expect(fields.contains { $0["name"] as? String == "title" })
        let sightings = try #require(show["sightings"] as? [[String: Any]])
        #expect(sightings.count == 1)
        #expect(Set(sightings[0].keys) == ["batch", "batch_label", "path", "root", "full_path", "held", "size", "mtime", "blob", "key", "version",
                                            "meaning", "error", "seen_at", "agent", "host", "source", "tool", "partial", "linked_blob"])
        #expect(sightings[0]["full_path"] as? String == samples + "/day-1/harbour-gazette/ferry-strike-talks.txt")
        let blobHash = try #require((show["blob"] as? [String: Any])?["hash"] as? String)
        let showBlob = try #require(try parseJSON(try quire(["-A", path, "show", blobHash, "--json"])) as? [String: Any])
        #expect(showBlob["type"] as? String == "blob")
        let batches = try #require(try parseJSON(try quire(["-A", path, "batches", "--json"])) as? [[String: Any]])
        #expect(batches.count == 1)
        #expect(Set(batches[0].keys) == ["id", "label", "source", "agent", "host", "tool", "note", "inputs", "started_at", "finished_at", "files", "bytes", "counts"])
        #expect(batches[0]["counts"] as? [String: Int] == ["new": 6, "version": 1, "duplicate": 0, "unchanged": 1, "failed": 0, "pending": 0])
        let stats = try #require(try parseJSON(try quire(["-A", path, "stats", "--json"])) as? [String: Any])
        for key in ["documents", "versions", "blobs", "sightings", "batches", "original_bytes", "stored_bytes"] {
            #expect(stats[key] is Int, "\(key)")
        }
        #expect(stats["documents"] as? Int == 6 && stats["versions"] as? Int == 7 && stats["blobs"] as? Int == 6)
    }

    @Test("unknown references exit 1; an ambiguous prefix lists the candidates")
    func badReferences() throws {
        let (dir, path) = try sampleArchive()
        let missing = try quire(["-A", path, "show", "no/such/key.txt"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no document with key 'no/such/key.txt'"))
        // Make a prefix collision: ingest files until two blobs share 4 leading hex digits.
        var seen: [Substring: String] = [:]
        var collision: (Substring, String, String)? = nil
        var i = 0
        while collision == nil {
            let text = "file \(i)\n"
            let hash = SHA256.hash(text).hex
            if let other = seen[hash.prefix(4)] { collision = (hash.prefix(4), other, hash) }
            seen[hash.prefix(4)] = hash
            i += 1
        }
        let (prefix, a, b) = collision!
        for (n, text) in [a, b].enumerated() {
            let index = (0..<i).first { SHA256.hash("file \($0)\n").hex == text }!
            try dir.write("c/\(n).txt", "file \(index)\n")
        }
        #expect(try quire(["-A", path, "ingest", "-q", dir.file("c")]).status == 0)
        let r = try quire(["-A", path, "cat", String(prefix)])
        #expect(r.status == 1)
        #expect(r.stderr.contains("ambiguous"))
        #expect(r.stderr.contains(a) && r.stderr.contains(b))
        #expect(r.stdout.isEmpty)
    }

    @Test("'-' reads the paths to ingest from stdin, keyed like the folder holding them")
    func pathsFromStdin() throws {
        let dir = TemporaryDirectory("cli")
        try dir.write("in/one.txt", "one\n")
        try dir.write("in/two words.txt", "two\n")
        let r = try quire(["-A", dir.file("a.quire"), "ingest", "--json", "-"], stdin: Array("./in/one.txt\nin/two words.txt\n\n".utf8), cwd: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let docs = try #require(try parseJSON(try quire(["-A", dir.file("a.quire"), "ls", "--json"])) as? [[String: Any]])
        #expect(docs.compactMap { $0["key"] as? String } == ["one.txt", "two words.txt"])
    }

    @Test("an unreadable file in the middle: reported with its path and reason, the rest archived, exit 1")
    func unreadableFile() throws {
        let dir = TemporaryDirectory("cli")
        try dir.write("in/a.txt", "a\n")
        try dir.write("in/b-secret.txt", "secret\n")
        try dir.write("in/c.txt", "c\n")
        chmod(dir.file("in/b-secret.txt"), 0)
        var command = [quireBinary, "-A", dir.file("a.quire"), "ingest", dir.file("in")]
        if geteuid() == 0 {
            // root reads anything: run as nobody, who cannot read a mode-000 file.
            chmod(dir.path, 0o777)
            chmod(dir.file("in"), 0o777)
            command = ["runuser", "-u", "nobody", "--"] + command
        }
        let r = try runProcess(command[0], Array(command.dropFirst()))
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("failed: b-secret.txt: Permission denied"), "\(r.stderr)")
        #expect(r.stderr.contains("1 of 3 files could not be archived"))
        #expect(r.stdoutText.contains("new 2"))
        let ls = try #require(try parseJSON(try quire(["-A", dir.file("a.quire"), "ls", "--json"])) as? [[String: Any]])
        #expect(ls.compactMap { $0["key"] as? String } == ["a.txt", "c.txt"])
        let batches = try #require(try parseJSON(try quire(["-A", dir.file("a.quire"), "batches", "--json"])) as? [[String: Any]])
        #expect((batches[0]["counts"] as? [String: Int])?["failed"] == 1)
    }

    @Test("two ingests into one archive at the same time both finish, and nothing is lost")
    func concurrentIngests() throws {
        let dir = TemporaryDirectory("cli")
        let a = NewsCorpus(articles: 600, seed: 31), b = NewsCorpus(articles: 600, seed: 32)
        let sa = try a.write(to: dir.file("a")), sb = try b.write(to: dir.file("b"))
        let archive = dir.file("shared.quire")
        #expect(try quire(["init", archive]).status == 0)
        let results = ResultsBox()
        let group = DispatchGroup()
        for name in ["a", "b"] {
            DispatchQueue.global().async(group: group) {
                let r = try? quire(["-A", archive, "ingest", "--json", "--threads", "1", dir.file(name)])
                results.set(name, r)
            }
        }
        group.wait()
        for name in ["a", "b"] {
            let r = try #require(results.get(name))
            #expect(r.status == 0, "\(name): \(r.stderr)")
        }
        let stats = try #require(try parseJSON(try quire(["-A", archive, "stats", "--json"])) as? [String: Any])
        #expect(stats["sightings"] as? Int == sa.files + sb.files)
        #expect(stats["blobs"] as? Int == a.articles + b.articles)
        #expect(stats["batches"] as? Int == 2)
        let batches = try #require(try parseJSON(try quire(["-A", archive, "batches", "--json"])) as? [[String: Any]])
        #expect(batches.allSatisfy { $0["finished_at"] is String })
    }

    @Test("a copied binary, away from the source tree, creates and opens archives")
    func copiedBinary() throws {
        let dir = TemporaryDirectory("cli-copy")
        let copy = dir.file("bin/quire")
        try FileManager.default.createDirectory(atPath: dir.file("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: quireBinary, toPath: copy)
        try dir.write("work/article.txt", "An article.\n")
        // Hide the source tree (and the build folder) in a private mount namespace when the
        // machine allows it, so nothing there can be read; else just run from elsewhere.
        let script = """
            set -e
            cd \(dir.file("work"))
            \(copy) init a.quire
            \(copy) -A a.quire ingest article.txt
            \(copy) -A a.quire stats --json
            """
        let hidden = "mount -t tmpfs none \(repositoryRoot) && " + "sh -c '\(script.replacingOccurrences(of: "'", with: "'\\''"))'"
        var r = try runProcess("unshare", ["-m", "sh", "-c", hidden])
        if r.status != 0 && r.stderr.contains("unshare") {
            r = try runProcess("sh", ["-c", script])
        }
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdoutText.contains("\"documents\": 1"))
    }
}

final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: ProcessResult] = [:]
    func set(_ key: String, _ value: ProcessResult?) { lock.lock(); values[key] = value; lock.unlock() }
    func get(_ key: String) -> ProcessResult? { lock.lock(); defer { lock.unlock() }; return values[key] }
}
