import Foundation
import Testing
import TestSupport

@Suite("CLI sync")
struct CLISyncTests {
    /// Two archives with different sample days.
    func twoCopies() throws -> (TemporaryDirectory, String, String) {
        let dir = TemporaryDirectory("cli-sync")
        let a = dir.file("a.quire"), b = dir.file("b.quire")
        #expect(try quire(["-A", a, "ingest", "-q", samples + "/day-1"]).status == 0)
        #expect(try quire(["-A", b, "ingest", "-q", samples + "/day-2"]).status == 0)
        return (dir, a, b)
    }

    func digest(_ archive: String) throws -> String {
        try quire(["-A", archive, "digest"]).stdoutText.trimmingCharacters(in: .newlines)
    }

    @Test("state file, bundle --since, inspect, verify and import; the second import adds nothing")
    func sinceStateFile() throws {
        let (dir, a, b) = try twoCopies()
        defer { withExtendedLifetime(dir) {} }
        #expect(try quire(["-A", b, "state", "-o", dir.file("b.state")]).status == 0)
        let state = try #require(try JSONSerialization.jsonObject(with: Data(readFile(dir.file("b.state")))) as? [String: Any])
        #expect(state["format"] as? String == "quire-state-1")
        #expect((state["origins"] as? [String: Any])?.count == 1)

        let create = try quire(["-A", a, "bundle", "create", dir.file("a.bundle"), "--since", dir.file("b.state"), "--json"])
        #expect(create.status == 0, "\(create.stderr)")
        let summary = try #require(try parseJSON(create) as? [String: Any])
        #expect(summary["events"] as? Int == 3)

        let inspect = try #require(try parseJSON(try quire(["bundle", "inspect", dir.file("a.bundle"), "--json"])) as? [String: Any])
        for key in ["bundle", "source", "created", "agent", "host", "tool", "base", "tip", "events", "blobs", "blob_bytes", "records_bytes", "bytes", "requires", "event_kinds", "blob_records"] {
            #expect(inspect[key] != nil, "\(key)")
        }
        #expect(inspect["events"] as? Int == 3)
        let text = try quire(["bundle", "inspect", dir.file("a.bundle")])
        #expect(text.stdoutText.contains("integrity ok"))

        let before = try digest(b)
        let verify = try quire(["-A", b, "bundle", "verify", dir.file("a.bundle")])
        #expect(verify.status == 0 && verify.stdoutText.contains("is valid"))
        #expect(try digest(b) == before)

        let first = try quire(["-A", b, "bundle", "import", dir.file("a.bundle"), "--as", "alice"])
        #expect(first.status == 0 && first.stdoutText.contains("3 new events"))
        let second = try quire(["-A", b, "bundle", "import", dir.file("a.bundle")])
        #expect(second.status == 0 && second.stdoutText.contains("adds nothing"))
        let peers = try #require(try parseJSON(try quire(["-A", b, "peers", "--json"])) as? [[String: Any]])
        #expect(peers.count == 1 && peers[0]["name"] as? String == "alice")
        #expect((peers[0]["exchanges"] as? [[String: Any]])?.count == 2)
    }

    @Test("a bundle piped through stdout and stdin, as over ssh")
    func pipe() throws {
        let (dir, a, b) = try twoCopies()
        defer { withExtendedLifetime(dir) {} }
        let r = try runProcess("sh", ["-c", "'\(quireBinary)' -A '\(a)' bundle create - --all | '\(quireBinary)' -A '\(b)' bundle import -"],
                               environment: ["QUIRE_ARCHIVE": ""])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdoutText.contains("Imported bundle"))
        let docs = try #require(try parseJSON(try quire(["-A", b, "ls", "--json"])) as? [[String: Any]])
        #expect(docs.count == 6)
    }

    @Test("sync makes both digests and ls --json equal; heads --forked and resolve")
    func syncAndForks() throws {
        let (dir, a, b) = try twoCopies()
        defer { withExtendedLifetime(dir) {} }
        let r = try quire(["-A", a, "sync", b, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try digest(a) == digest(b))
        #expect(try quire(["-A", a, "ls", "--json"]).stdout == quire(["-A", b, "ls", "--json"]).stdout)
        // day-1 and day-2 both hold the ferry-strike article (one URL), each as a first version: a fork.
        let forked = try #require(try parseJSON(try quire(["-A", a, "heads", "--forked", "--json"])) as? [[String: Any]])
        #expect(forked.map { $0["key"] as? String } == ["https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks"])
        let heads = try #require(forked[0]["heads"] as? [[String: Any]])
        let keep = try #require(heads.last?["version"] as? String)
        let resolve = try quire(["-A", b, "resolve", "https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks", String(keep.prefix(12)), "--note", "the later wording"])
        #expect(resolve.status == 0, "\(resolve.stderr)")
        #expect(try quire(["-A", b, "sync", a]).status == 0)
        for archive in [a, b] {
            let again = try #require(try parseJSON(try quire(["-A", archive, "heads", "--forked", "--json"])) as? [[String: Any]])
            #expect(again.isEmpty)
        }
        #expect(try digest(a) == digest(b))
    }

    @Test("bad bundles exit 1 with a clear error and leave the archive's digest unchanged")
    func badBundle() throws {
        let (dir, a, b) = try twoCopies()
        defer { withExtendedLifetime(dir) {} }
        #expect(try quire(["-A", a, "bundle", "create", dir.file("a.bundle")]).status == 0)
        var bytes = try readFile(dir.file("a.bundle"))
        bytes[bytes.count / 2] ^= 0x40
        try dir.write("bad.bundle", bytes)
        try dir.write("text.bundle", "not a bundle\n")
        let before = try digest(b)
        for (file, message) in [("bad.bundle", "trailing SHA-256 does not match"), ("text.bundle", "not a Quire bundle")] {
            for command in ["import", "verify"] {
                let r = try quire(["-A", b, "bundle", command, dir.file(file)])
                #expect(r.status == 1)
                #expect(r.stderr.hasPrefix("Error: ") && r.stderr.contains(message), "\(r.stderr)")
            }
            #expect(try quire(["bundle", "inspect", dir.file(file)]).status == 1)
        }
        #expect(try digest(b) == before)
        let usage = try quire(["-A", a, "bundle", "create", dir.file("x.bundle"), "--all", "--for", "bob"])
        #expect(usage.status == 64)
        let noPeer = try quire(["-A", a, "bundle", "create", dir.file("x.bundle"), "--for", "bob"])
        #expect(noPeer.status == 1 && noPeer.stderr.contains("no peer 'bob'"))
        #expect(try quire(["bundle"]).status == 0)
        #expect(try quire(["bundle", "frob"]).status == 64)
    }
}
