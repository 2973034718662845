import Foundation
import Testing
import TestSupport

@Suite("CLI basics")
struct CLIBasicsTests {
    static let commands = ["init", "ingest", "ls", "log", "show", "cat", "batches", "stats", "state", "digest", "bundle", "sync",
                           "peers", "heads", "resolve"]

    @Test("--help prints usage on stdout and exits 0, for quire and every command")
    func help() throws {
        let top = try quire(["--help"])
        #expect(top.status == 0)
        #expect(top.stdoutText.contains("Usage: quire"))
        #expect(top.stdoutText.contains("QUIRE_ARCHIVE"))
        for command in Self.commands {
            #expect(top.stdoutText.contains("  \(command) "), "overview lists \(command)")
            for form in [[command, "--help"], [command, "-h"], ["help", command]] {
                let r = try quire(form)
                #expect(r.status == 0, "\(form)")
                #expect(r.stdoutText.contains("Usage: quire \(command)"), "\(form)")
                #expect(r.stderr.isEmpty)
            }
        }
        for sub in ["create", "inspect", "verify", "import"] {
            let r = try quire(["bundle", sub, "--help"])
            #expect(r.status == 0 && r.stdoutText.contains("Usage: quire bundle \(sub)"), "bundle \(sub)")
        }
        #expect(try quire(["--version"]).stdoutText.hasPrefix("quire "))
    }

    @Test("usage mistakes exit 64 with 'Error:' and a usage line on stderr", arguments: [
        ["frobnicate"], ["ls", "--bogus"], ["log", "a", "b"], ["ingest"], ["ingest", "--level", "12", "x"], ["ingest", "--threads", "zero", "x"],
        ["ls", "extra"], ["ingest", "--batch"], ["cat", "a", "b"], ["ingest", "--key", "title", "x"], ["-A"],
    ])
    func usageErrors(_ arguments: [String]) throws {
        let r = try quire(arguments)
        #expect(r.status == 64)
        #expect(r.stdout.isEmpty)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.first?.hasPrefix("Error: ") == true, "\(r.stderr)")
        #expect(lines.contains { $0.hasPrefix("Usage: quire") }, "\(r.stderr)")
    }

    @Test("commands on a missing archive say it does not exist, exit 1, and create nothing")
    func missingArchive() throws {
        let dir = TemporaryDirectory("cli")
        for command in [["ls"], ["log", "k"], ["show", "k"], ["cat", "abcd"], ["batches"], ["stats"]] {
            let r = try quire(["-A", dir.file("none.quire")] + command)
            #expect(r.status == 1)
            #expect(r.stderr.contains("does not exist"), "\(command): \(r.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("a file that is not an archive is refused with exit 1 and left byte-identical")
    func notAnArchive() throws {
        let dir = TemporaryDirectory("cli")
        let path = try dir.write("notes.quire", "my notes\n")
        for command in [["ls"], ["stats"], ["ingest", samples + "/day-1"]] {
            let r = try quire(["-A", path] + command)
            #expect(r.status == 1)
            #expect(r.stderr.contains("not a Quire archive"), "\(r.stderr)")
        }
        #expect(try readFile(path) == Array("my notes\n".utf8))
    }

    @Test("-A works before or after the command, then QUIRE_ARCHIVE, then ./archive.quire")
    func archiveSelection() throws {
        let dir = TemporaryDirectory("cli")
        let a = dir.file("a.quire"), b = dir.file("b.quire")
        #expect(try quire(["-A", a, "ingest", "-q", samples + "/day-1"]).status == 0)
        #expect(try quire(["ingest", "-q", samples + "/day-2", "--archive", b]).status == 0)
        func count(_ args: [String], env: [String: String] = [:], cwd: String? = nil) throws -> Int {
            let r = try quire(args + ["stats", "--json"], environment: env, cwd: cwd)
            return (try parseJSON(r) as? [String: Any])?["documents"] as? Int ?? -1
        }
        #expect(try count(["-A", a]) == 5)
        #expect(try quire(["stats", "--json", "-A", b]).status == 0)
        #expect(try count(["-A", b]) == 3)
        #expect(try count([], env: ["QUIRE_ARCHIVE": b]) == 3)
        #expect(try count(["-A", a], env: ["QUIRE_ARCHIVE": b]) == 5)
        // The default: archive.quire in the current directory.
        let r = try quire(["ingest", samples + "/day-1"], cwd: dir.path)
        #expect(r.status == 0)
        #expect(r.stderr.contains("Created archive archive.quire"))
        #expect(FileManager.default.fileExists(atPath: dir.file("archive.quire")))
        #expect(try count([], cwd: dir.path) == 5)
    }

    @Test("init creates an archive, refuses an existing file, and prints JSON on request")
    func initCommand() throws {
        let dir = TemporaryDirectory("cli")
        let r = try quire(["init", dir.file("new.quire"), "--json"])
        #expect(r.status == 0)
        let json = try #require(try parseJSON(r) as? [String: Any])
        #expect((json["archive_id"] as? String)?.count == 36)
        let migrations = try FileManager.default.contentsOfDirectory(atPath: repositoryRoot + "/Schema").filter { $0.hasSuffix(".sql") }
        #expect(json["schema_version"] as? Int == migrations.count)
        let again = try quire(["init", dir.file("new.quire")])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
    }
}
