import CorpusGenerator
import Foundation
import Testing
import TestSupport

@Suite("CLI faults")
struct CLIFaultTests {
    @Test("an archive on a path with spaces and non-ASCII characters works throughout")
    func oddPath() throws {
        let dir = TemporaryDirectory("cli-faults")
        let folder = dir.file("Données de presse/été 2026")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let archive = folder + "/mon archive ✓.quire"
        #expect(try quire(["-A", archive, "ingest", "-q", samples + "/day-1"]).status == 0)
        #expect(try quire(["-A", archive, "verify", "-q"]).status == 0)
        #expect(try quire(["-A", archive, "bundle", "create", folder + "/lot n°1.bundle"]).status == 0)
        #expect(try quire(["-A", folder + "/copie.quire", "init"]).status == 0)
        #expect(try quire(["-A", folder + "/copie.quire", "bundle", "import", folder + "/lot n°1.bundle"]).status == 0)
        #expect(try quire(["-A", archive, "sync", folder + "/copie.quire"]).status == 0)
    }

    @Test("an archive in a read-only folder can be read and verified; writing says it is read-only and changes nothing")
    func readOnly() throws {
        let dir = TemporaryDirectory("cli-faults")
        let folder = dir.file("media")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let archive = folder + "/r.quire"
        #expect(try quire(["-A", archive, "ingest", "-q", samples + "/day-1"]).status == 0)
        let before = try readFile(archive)
        chmod(archive, 0o444)
        chmod(folder, 0o555)
        chmod(dir.path, 0o755)
        defer { chmod(folder, 0o755); chmod(archive, 0o644) }
        // root writes anything: run as nobody, for whom the folder and file really are read-only.
        func run(_ arguments: [String]) throws -> ProcessResult {
            let command = [quireBinary] + arguments
            return geteuid() == 0 ? try runProcess("runuser", ["-u", "nobody", "--"] + command, environment: ["QUIRE_ARCHIVE": ""])
                                  : try runProcess(quireBinary, arguments, environment: ["QUIRE_ARCHIVE": ""])
        }
        let ls = try run(["-A", archive, "ls", "--json"])
        #expect(ls.status == 0, "\(ls.stderr)")
        #expect((try parseJSON(ls) as? [[String: Any]])?.count == 5)
        let verify = try run(["-A", archive, "verify", "--no-record"])
        #expect(verify.status == 0, "\(verify.stdoutText)\(verify.stderr)")
        let write = try run(["-A", archive, "ingest", "-q", samples + "/day-2"])
        #expect(write.status == 1 && write.stderr.contains("read-only"), "\(write.stderr)")
        let record = try run(["-A", archive, "verify"])
        #expect(record.status != 0 || record.stderr.contains("could not be recorded"), "\(record.stderr)")
        #expect(try readFile(archive) == before)
    }

    @Test("ingests, an import and readers on one archive at once all finish, with exact counts")
    func concurrentMix() throws {
        let dir = TemporaryDirectory("cli-faults")
        for (name, seed) in [("one", 71), ("two", 73)] { _ = try NewsCorpus(articles: 300, seed: UInt64(seed)).write(to: dir.file(name)) }
        _ = try NewsCorpus(articles: 300, seed: 79).write(to: dir.file("three"))
        let other = dir.file("other.quire")
        #expect(try quire(["-A", other, "ingest", "-q", dir.file("three")]).status == 0)
        #expect(try quire(["-A", other, "bundle", "create", dir.file("three.bundle")]).status == 0)
        let archive = dir.file("shared.quire")
        #expect(try quire(["init", archive]).status == 0)
        var processes: [Process] = []
        func start(_ arguments: [String]) throws { processes.append(try startQuire(arguments)) }
        try start(["-A", archive, "ingest", "-q", dir.file("one")])
        try start(["-A", archive, "ingest", "-q", dir.file("two")])
        try start(["-A", archive, "bundle", "import", dir.file("three.bundle")])
        for _ in 0..<3 { try start(["-A", archive, "stats", "--json"]); try start(["-A", archive, "ls", "--json"]) }
        for p in processes { p.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 }, "\(processes.map(\.terminationStatus))")
        let stats = try #require(try parseJSON(try quire(["-A", archive, "stats", "--json"])) as? [String: Any])
        #expect(stats["documents"] as? Int == 900)
        #expect(stats["batches"] as? Int == 3)
        #expect(try quire(["-A", archive, "verify", "--no-record"]).status == 0)
    }

    /// Holds the archive's write lock from another process (Python's sqlite3, `BEGIN IMMEDIATE`)
    /// for `seconds`; returns once the lock is taken.
    private func holdWriteLock(_ archive: String, seconds: Double) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            time.sleep(float(sys.argv[2]))
            db.execute("ROLLBACK")
            """, archive, String(seconds)]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let line = out.fileHandleForReading.readData(ofLength: 7)
        #expect(String(decoding: line, as: UTF8.self) == "locked\n")
        return process
    }

    @Test("a locked archive: a write gives up after QUIRE_LOCK_TIMEOUT with a clear error and changes nothing; reads go on; by default a write waits for the lock")
    func locked() throws {
        let dir = TemporaryDirectory("cli-faults")
        let archive = dir.file("locked.quire")
        #expect(try quire(["-A", archive, "ingest", "-q", samples + "/day-1"]).status == 0)
        let digest = try quire(["-A", archive, "digest"]).stdoutText

        let holder = try holdWriteLock(archive, seconds: 4)
        let refused = try quire(["-A", archive, "ingest", "-q", samples + "/day-2"], environment: ["QUIRE_LOCK_TIMEOUT": "0.5"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("another process is writing to the archive") && refused.stderr.contains("Nothing was changed"), "\(refused.stderr)")
        // Readers are not blocked by the writer.
        let ls = try quire(["-A", archive, "ls", "--json"])
        #expect(ls.status == 0)
        #expect((try parseJSON(ls) as? [[String: Any]])?.count == 5)
        holder.waitUntilExit()
        #expect(try quire(["-A", archive, "digest"]).stdoutText == digest)

        // A bad timeout is an error, not a silent default.
        let bad = try quire(["-A", archive, "ingest", "-q", samples + "/day-2"], environment: ["QUIRE_LOCK_TIMEOUT": "soon"])
        #expect(bad.status == 1 && bad.stderr.contains("QUIRE_LOCK_TIMEOUT"), "\(bad.stderr)")
        #expect(try quire(["-A", archive, "digest"]).stdoutText == digest)

        // With the default timeout, a write started under a short lock waits and then succeeds.
        let brief = try holdWriteLock(archive, seconds: 1.5)
        let waited = try quire(["-A", archive, "ingest", "-q", samples + "/day-2"])
        brief.waitUntilExit()
        #expect(waited.status == 0, "\(waited.stderr)")
        #expect(try quire(["-A", archive, "digest"]).stdoutText != digest)
        #expect(try quire(["-A", archive, "verify", "--no-record"]).status == 0)
    }
}
