import CorpusGenerator
import Foundation
import Testing
import TestSupport

@Suite("CLI under SIGKILL")
struct CLIKillTests {
    @Test("an ingest killed at random moments leaves a consistent archive, and rerunning completes the work")
    func killedIngest() throws {
        let dir = TemporaryDirectory("kill")
        let corpus = NewsCorpus(articles: 1500, seed: 41)
        let snapshot = try corpus.write(to: dir.file("corpus"))
        let archive = dir.file("k.quire")
        #expect(try quire(["init", archive]).status == 0)
        var rng = SeededRandom(seed: 17)
        for round in 0..<6 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: quireBinary)
            process.arguments = ["-A", archive, "ingest", "-q", dir.file("corpus")]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(30_000 + rng.next() % 600_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // After every kill the database is intact and the archive opens and lists.
            let check = try runProcess("sqlite3", [archive, "PRAGMA integrity_check; PRAGMA foreign_key_check;"])
            #expect(check.stdoutText == "ok\n", "round \(round): \(check.stdoutText)")
            #expect(try quire(["-A", archive, "stats", "--json"]).status == 0)
        }
        let final = try quire(["-A", archive, "ingest", "--json", dir.file("corpus")])
        #expect(final.status == 0, "\(final.stderr)")
        let stats = try #require(try parseJSON(try quire(["-A", archive, "stats", "--json"])) as? [String: Any])
        #expect(stats["blobs"] as? Int == corpus.articles)
        // Keyed by canonical URL: each article is one document, its copies included.
        #expect(stats["documents"] as? Int == corpus.articles)
        #expect(snapshot.files > corpus.articles)
        let verify = try quire(["-A", archive, "verify", "--no-record"])
        #expect(verify.status == 0, "\(verify.stdoutText)")
        // The documents and their heads are what one uninterrupted ingest gives.
        let reference = dir.file("ref.quire")
        #expect(try quire(["-A", reference, "ingest", "-q", dir.file("corpus")]).status == 0)
        func heads(_ path: String) throws -> [String] {
            let ls = try #require(try parseJSON(try quire(["-A", path, "ls", "--json"])) as? [[String: Any]])
            return ls.map { "\($0["key"] as? String ?? "") \($0["head_blob"] as? String ?? "")" }
        }
        #expect(try heads(archive) == heads(reference))
        // Every event chain still links: seqs run 1, 2, 3 without gaps.
        let gaps = try runProcess("sqlite3", [archive, "SELECT count(*) FROM events e WHERE seq > 1 AND NOT EXISTS (SELECT 1 FROM events p WHERE p.origin = e.origin AND p.seq = e.seq - 1);"])
        #expect(gaps.stdoutText == "0\n")
    }
}
