import Foundation
import Testing
import TestSupport

/// Looking at what batches did: `log` without a key, `show BATCH`, `ls` filters and titles, and
/// the pager on a terminal, through the real binary.
@Suite("CLI history, batches and listings")
struct CLIHistoryTests {
    /// An archive with two batches (day-1 from source "wire", day-2 labelled "second") and a verification.
    func archive() throws -> (TemporaryDirectory, String) {
        let dir = TemporaryDirectory("history")
        let path = dir.file("h.quire")
        #expect(try quire(["-A", path, "ingest", "-q", "--source", "wire", "--batch", "first", samples + "/day-1"]).status == 0)
        #expect(try quire(["-A", path, "ingest", "-q", "--batch", "second", samples + "/day-2"]).status == 0)
        #expect(try quire(["-A", path, "verify", "--quick"]).status == 0)
        return (dir, path)
    }

    @Test("log without a key: the archive's history, newest first, in text and JSON")
    func history() throws {
        let (dir, path) = try archive()
        defer { withExtendedLifetime(dir) {} }
        let json = try #require(try parseJSON(try quire(["-A", path, "log", "--json"])) as? [[String: Any]])
        #expect(json.map { $0["kind"] as? String } == ["verify", "batch", "batch"])
        let times = json.compactMap { $0["at"] as? String }
        #expect(times == times.sorted(by: >))
        #expect((json[1]["summary"] as? String)?.contains("batch second: 3 files, new 1, version 1, unchanged 1") == true)
        let text = try quire(["-A", path, "log"])
        #expect(text.status == 0)
        let lines = text.stdoutText.split(separator: "\n")
        #expect(lines.first?.contains("verify (quick): clean") == true)
        #expect(text.stdoutText.contains("batch first: 5 files, new 5") && text.stdoutText.contains("source wire"))
        // An empty archive says how to begin.
        #expect(try quire(["init", dir.file("empty.quire")]).status == 0)
        #expect(try quire(["-A", dir.file("empty.quire"), "log"]).stdoutText.contains("nothing recorded yet"))
    }

    @Test("show BATCH: details, counts and every file read, by label, id or id prefix")
    func showBatch() throws {
        let (dir, path) = try archive()
        defer { withExtendedLifetime(dir) {} }
        let text = try quire(["-A", path, "show", "second"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdoutText.contains("batch second"))
        #expect(text.stdoutText.contains("new 1, version 1, unchanged 1, failed 0 in 3 files"))
        #expect(text.stdoutText.contains("version  \(samples)/day-2/harbour-gazette/ferry-strike-talks.txt"))
        #expect(text.stdoutText.contains("unchanged  \(samples)/day-2/northern-ledger/library-funding-vote.html"))
        let json = try #require(try parseJSON(try quire(["-A", path, "show", "second", "--json"])) as? [String: Any])
        #expect(json["type"] as? String == "batch")
        let id = try #require(json["id"] as? String)
        #expect((json["sightings"] as? [[String: Any]])?.count == 3)
        // By id and by a unique id prefix, the same batch.
        for reference in [id, String(id.prefix(8))] {
            let byID = try #require(try parseJSON(try quire(["-A", path, "show", reference, "--json"])) as? [String: Any])
            #expect(byID["id"] as? String == id, "\(reference)")
        }
        // Neither a document, a hash nor a batch: exit 1 with the error, nothing printed.
        let unknown = try quire(["-A", path, "show", "no-such-thing"])
        #expect(unknown.status == 1 && unknown.stdout.isEmpty && unknown.stderr.contains("no-such-thing"))
    }

    @Test("ls: a title column, --batch, --source and --since, and a bad date refused")
    func lsFilters() throws {
        let (dir, path) = try archive()
        defer { withExtendedLifetime(dir) {} }
        func keys(_ extra: [String]) throws -> [String] {
            let docs = try #require(try parseJSON(try quire(["-A", path, "ls", "--json"] + extra)) as? [[String: Any]])
            return docs.compactMap { $0["key"] as? String }
        }
        #expect(try keys([]).count == 6)
        #expect(try keys(["--batch", "second"]) == ["https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks",
                                                  "https://metro-daily.example/2026/03/27/transit-board-delays-fare-increase",
                                                  "https://northern-ledger.example/local/council-backs-library-funding"])
        #expect(try keys(["--source", "wire"]).count == 5)
        #expect(try keys(["--source", "nobody"]).isEmpty)
        #expect(try keys(["--since", "2000-01-01"]).count == 6)
        #expect(try keys(["--since", "2999-01-01"]).isEmpty)
        // Together, one sighting must meet them all: batch "second" had no source.
        #expect(try keys(["--batch", "second", "--source", "wire"]).isEmpty)
        #expect(try keys(["--source", "wire", "--since", "2000-01-01"]).count == 5)
        let docs = try #require(try parseJSON(try quire(["-A", path, "ls", "--json"])) as? [[String: Any]])
        let ferry = try #require(docs.first { ($0["key"] as? String)?.contains("ferry") == true })
        let title = try #require(ferry["title"] as? String)
        #expect(!title.isEmpty)
        let text = try quire(["-A", path, "ls"]).stdoutText
        #expect(text.hasPrefix("KEY") && text.contains("TITLE") && text.contains(title))
        let bad = try quire(["-A", path, "ls", "--since", "yesterday"])
        #expect(bad.status == 64 && bad.stderr.contains("--since"))
        let noBatch = try quire(["-A", path, "ls", "--batch", "third"])
        #expect(noBatch.status == 1 && noBatch.stderr.contains("third"))
    }

    @Test("on a terminal, ls, log and show go through $PAGER; not with --no-pager, PAGER=cat, or a pipe")
    func pager() throws {
        try requireTool("script (util-linux)", check: ["script", "--version"])
        let (dir, path) = try archive()
        defer { withExtendedLifetime(dir) {} }
        /// Runs `command` on a pseudo-terminal that `script` makes, with `PAGER` set.
        func onTerminal(_ command: String, pager: String) throws -> String {
            let r = try runProcess("script", ["-qec", command, "/dev/null"], environment: ["PAGER": pager, "QUIRE_ARCHIVE": path])
            return r.stdoutText
        }
        let marker = "echo PAGED-BY-TEST; cat"
        for command in ["ls", "log", "show second", "log https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks"] {
            let out = try onTerminal("'\(quireBinary)' \(command)", pager: marker)
            #expect(out.hasPrefix("PAGED-BY-TEST"), "\(command): \(out.prefix(200))")
        }
        #expect(!(try onTerminal("'\(quireBinary)' --no-pager ls", pager: marker)).contains("PAGED-BY-TEST"))
        #expect(!(try onTerminal("'\(quireBinary)' ls", pager: "cat")).contains("PAGED-BY-TEST"))
        #expect(!(try onTerminal("'\(quireBinary)' ls | cat", pager: marker)).contains("PAGED-BY-TEST"))
        // Without PAGER set, less -FRX: the short list is printed and less quits at once.
        let r = try runProcess("script", ["-qec", "env -u PAGER '\(quireBinary)' ls", "/dev/null"], environment: ["QUIRE_ARCHIVE": path])
        #expect(r.status == 0 && r.stdoutText.contains("harbour-gazette"))
    }
}
