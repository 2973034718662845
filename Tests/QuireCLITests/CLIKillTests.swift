import CorpusGenerator
import Foundation
import Testing
import TestSupport

@Suite("CLI under SIGKILL")
struct CLIKillTests {
    /// `corpus` written to `dir/corpus` and ingested into `dir/a.quire`; the archive's path.
    func ingestedArchive(in dir: TemporaryDirectory, _ corpus: NewsCorpus) throws -> String {
        try corpus.write(to: dir.file("corpus"))
        let archive = dir.file("a.quire")
        #expect(try quire(["-A", archive, "ingest", "-q", dir.file("corpus")]).status == 0)
        return archive
    }

    @Test("a repack killed at random moments leaves verify clean and the digest unchanged; rerunning completes it")
    func killedRepack() throws {
        let dir = TemporaryDirectory("kill")
        let corpus = NewsCorpus(articles: 600, seed: 43)
        let archive = try ingestedArchive(in: dir, corpus)
        for v in 2...3 {
            try corpus.write(to: dir.file("corpus")) { $0 % 2 == 0 ? v : 1 }
            #expect(try quire(["-A", archive, "ingest", "-q", dir.file("corpus")]).status == 0)
        }
        let digest = try quire(["-A", archive, "digest"]).stdoutText
        var rng = SeededRandom(seed: 19)
        for round in 0..<8 {
            try killAtRandom(["-A", archive, "repack", "-q"], within: 400_000, &rng)
            let verify = try quire(["-A", archive, "verify", "--no-record", "-q"])
            #expect(verify.status == 0, "round \(round): \(verify.stdoutText)")
            #expect(try quire(["-A", archive, "digest"]).stdoutText == digest)
        }
        let final = try quire(["-A", archive, "repack", "--json"])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(try quire(["-A", archive, "verify", "--no-record"]).status == 0)
        #expect(try quire(["-A", archive, "digest"]).stdoutText == digest)
    }

    @Test("repack --compact killed while it gives a 16 KiB archive 8 KiB pages: verify clean, digest unchanged, WAL again; rerunning completes it")
    func killedCompact() throws {
        let dir = TemporaryDirectory("kill-compact")
        let archive = try ingestedArchive(in: dir, NewsCorpus(articles: 1500, seed: 47))
        let old = try runProcess("sqlite3", [archive, "PRAGMA journal_mode = DELETE; PRAGMA page_size = 16384; VACUUM; PRAGMA journal_mode = WAL; PRAGMA page_size;"])
        #expect(old.stdoutText.hasSuffix("wal\n16384\n"), "\(old.stdoutText)")
        let digest = try quire(["-A", archive, "digest"]).stdoutText
        // A repack without --compact first, timed: the kills below fall around the moment the
        // rewrite starts (the repack before it finds nothing more to store).
        let started = Date()
        #expect(try quire(["-A", archive, "repack", "-q"]).status == 0)
        let repackMicros = UInt64(Date().timeIntervalSince(started) * 1_000_000)
        var rng = SeededRandom(seed: 23)
        for round in 0..<8 {
            let process = try startQuire(["-A", archive, "repack", "-q", "--compact"])
            usleep(UInt32(repackMicros * 9 / 10 + rng.next() % 250_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let verify = try quire(["-A", archive, "verify", "--no-record", "-q"])
            #expect(verify.status == 0, "round \(round): \(verify.stdoutText)")
            #expect(try quire(["-A", archive, "digest"]).stdoutText == digest)
            let mode = try runProcess("sqlite3", [archive, "PRAGMA journal_mode; PRAGMA page_size;"]).stdoutText
            #expect(["wal", "delete"].contains { mode.hasPrefix($0 + "\n") } && (mode.hasSuffix("\n16384\n") || mode.hasSuffix("\n8192\n")), "round \(round): \(mode)")
        }
        // Left out of WAL mode (as a kill during the rewrite leaves it), the next writer puts it back.
        _ = try runProcess("sqlite3", [archive, "PRAGMA journal_mode = DELETE"])
        let final = try quire(["-A", archive, "repack", "--compact", "--json"])
        #expect(final.status == 0, "\(final.stderr)")
        #expect(final.stdoutText.contains("\"page_size\": 8192"), "\(final.stdoutText)")
        #expect(try runProcess("sqlite3", [archive, "PRAGMA journal_mode; PRAGMA page_size;"]).stdoutText == "wal\n8192\n")
        #expect(try quire(["-A", archive, "verify", "--no-record"]).status == 0)
        #expect(try quire(["-A", archive, "digest"]).stdoutText == digest)
    }

    @Test("a write killed in rollback-journal mode leaves a hot journal: reading commands roll it back first and see the archive as it was")
    func hotJournalRolledBackByReaders() throws {
        let dir = TemporaryDirectory("hot-journal")
        let archive = try ingestedArchive(in: dir, NewsCorpus(articles: 60, seed: 5))
        let digest = try quire(["-A", archive, "digest"]).stdoutText
        // A writer (as `compact` rewrites the file) dies in the middle of a transaction whose pages
        // already spilled into the file: what it wrote is in the file, the old pages in the journal.
        _ = try runProcess("python3", ["-c", """
            import sqlite3, os, sys
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute('PRAGMA journal_mode = DELETE')
            c.execute('PRAGMA cache_size = 2')
            c.execute('BEGIN IMMEDIATE')
            c.execute('UPDATE blob_chunks SET data = zeroblob(length(data))')
            os._exit(0)
            """, archive])
        var journal = stat()
        #expect(stat(archive + "-journal", &journal) == 0 && journal.st_size > 0, "a hot journal is left")
        // A file that cannot be written (immutable here; read-only media): a clear error naming the
        // journal, and nothing changed.
        if (try? runProcess("chattr", ["+i", archive]))?.status == 0 {
            defer { _ = try? runProcess("chattr", ["-i", archive]) }
            let refused = try quire(["-A", archive, "verify", "--no-record"])
            #expect(refused.status == 1 && refused.stderr.contains("was interrupted") && refused.stderr.contains(archive + "-journal"), "\(refused.stderr)")
            #expect(stat(archive + "-journal", &journal) == 0 && journal.st_size > 0, "the journal is still there")
        } else {
            print("skipped: the unwritable case needs chattr +i on this file system")
        }
        let verify = try quire(["-A", archive, "verify", "--no-record"])
        #expect(verify.status == 0, "\(verify.stdoutText) \(verify.stderr)")
        #expect(try quire(["-A", archive, "digest"]).stdoutText == digest)
        #expect(stat(archive + "-journal", &journal) != 0 || journal.st_size == 0, "rolled back")
    }

    @Test("an ingest killed at random moments leaves a consistent archive, and rerunning completes the work")
    func killedIngest() throws {
        let dir = TemporaryDirectory("kill")
        let corpus = NewsCorpus(articles: 1500, seed: 41)
        let snapshot = try corpus.write(to: dir.file("corpus"))
        let archive = dir.file("k.quire")
        #expect(try quire(["init", archive]).status == 0)
        var rng = SeededRandom(seed: 17)
        for round in 0..<20 {
            try killAtRandom(["-A", archive, "ingest", "-q", dir.file("corpus")], within: 600_000, &rng)
            // After every kill the database is intact and `quire verify` calls the archive clean.
            let check = try runProcess("sqlite3", [archive, "PRAGMA integrity_check; PRAGMA foreign_key_check;"])
            #expect(check.stdoutText == "ok\n", "round \(round): \(check.stdoutText)")
            let verify = try quire(["-A", archive, "verify", "--no-record", "-q"])
            #expect(verify.status == 0, "round \(round): \(verify.stdoutText)")
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

    @Test("a bundle import killed at random moments leaves the archive as it was or fully imported, never between")
    func killedImport() throws {
        let dir = TemporaryDirectory("kill")
        let corpus = NewsCorpus(articles: 1200, seed: 43)
        _ = try corpus.write(to: dir.file("corpus"))
        let source = dir.file("source.quire")
        #expect(try quire(["-A", source, "ingest", "-q", dir.file("corpus")]).status == 0)
        #expect(try quire(["-A", source, "bundle", "create", dir.file("all.bundle")]).status == 0)
        // What one uninterrupted import gives.
        let reference = dir.file("reference.quire")
        #expect(try quire(["init", reference]).status == 0)
        #expect(try quire(["-A", reference, "bundle", "import", dir.file("all.bundle")]).status == 0)
        let full = try counts(reference)
        let receiver = dir.file("receiver.quire")
        #expect(try quire(["init", receiver]).status == 0)
        let empty = try counts(receiver)
        var rng = SeededRandom(seed: 23)
        for round in 0..<20 {
            try killAtRandom(["-A", receiver, "bundle", "import", dir.file("all.bundle")], within: 500_000, &rng)
            // One transaction: nothing, or everything.
            let now = try counts(receiver)
            #expect(now == empty || now == full, "round \(round): \(now)")
            let verify = try quire(["-A", receiver, "verify", "--no-record", "-q"])
            #expect(verify.status == 0, "round \(round): \(verify.stdoutText)")
            if now == full { break }
        }
        #expect(try quire(["-A", receiver, "bundle", "import", dir.file("all.bundle")]).status == 0)
        #expect(try heads(receiver) == heads(source))
        #expect(try quire(["-A", receiver, "verify", "--no-record"]).status == 0)
    }

    @Test("a sync killed at random moments leaves both archives clean, and a final sync makes them equal")
    func killedSync() throws {
        let dir = TemporaryDirectory("kill")
        let a = dir.file("a.quire"), b = dir.file("b.quire")
        _ = try NewsCorpus(articles: 700, seed: 47).write(to: dir.file("one"))
        _ = try NewsCorpus(articles: 700, seed: 53).write(to: dir.file("two"))
        #expect(try quire(["-A", a, "ingest", "-q", dir.file("one")]).status == 0)
        #expect(try quire(["-A", b, "ingest", "-q", dir.file("two")]).status == 0)
        var rng = SeededRandom(seed: 29)
        for round in 0..<20 {
            try killAtRandom(["-A", a, "sync", b], within: 700_000, &rng)
            for archive in [a, b] {
                let verify = try quire(["-A", archive, "verify", "--no-record", "-q"])
                #expect(verify.status == 0, "round \(round): \(archive): \(verify.stdoutText)")
            }
        }
        let finish = try quire(["-A", a, "sync", b])
        #expect(finish.status == 0, "\(finish.stderr)")
        #expect(try digest(a) == digest(b))
        #expect(try heads(a) == heads(b))
    }

    /// Starts `quire` with `arguments` and kills it with SIGKILL after a random wait of up to `within` microseconds.
    func killAtRandom(_ arguments: [String], within: UInt64, _ rng: inout SeededRandom) throws {
        let process = try startQuire(arguments)
        usleep(UInt32(10_000 + rng.next() % within))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Events, blobs, versions and sightings of an archive.
    func counts(_ archive: String) throws -> [Int] {
        let stats = try #require(try parseJSON(try quire(["-A", archive, "stats", "--json"])) as? [String: Any])
        return ["events", "blobs", "versions", "sightings"].map { stats[$0] as? Int ?? -1 }
    }

    func digest(_ archive: String) throws -> String {
        try quire(["-A", archive, "digest"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func heads(_ path: String) throws -> [String] {
        let ls = try #require(try parseJSON(try quire(["-A", path, "ls", "--json"])) as? [[String: Any]])
        return ls.map { "\($0["key"] as? String ?? "") \($0["head_blob"] as? String ?? "")" }
    }
}

