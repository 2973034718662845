import CorpusGenerator
import Foundation
import Testing
import TestSupport

/// clone, pull, push, sync and status through a real sshd on 127.0.0.1 (`quire serve --stdio` at
/// the far end), a connection cut and a client killed mid-transfer, and each way it can be
/// refused: a wrong path, a host without quire, a refused key, a read-only forced command.
@Suite("CLI over ssh", .serialized)
struct CLISSHTests {
    func digest(_ archive: String, content: Bool = false) throws -> String {
        try quire(["-A", archive, "digest"] + (content ? ["--content"] : [])).stdoutText.trimmingCharacters(in: .newlines)
    }

    func expectClean(_ archive: String) throws {
        let r = try quire(["-A", archive, "verify", "--no-record"])
        #expect(r.status == 0, "verify \(archive): \(r.stdoutText) \(r.stderr)")
    }

    @Test("clone, pull, push, sync and status through sshd; peers take the remote's name")
    func roundTrip() throws {
        let server = try SSHServer()
        let dir = TemporaryDirectory("cli-ssh")
        let env = server.environment()
        let team = dir.file("team.quire"), mine = dir.file("mine.quire")
        #expect(try quire(["-A", team, "ingest", "-q", samples + "/day-1"]).status == 0)

        let clone = try quire(["clone", "--remote-quire", quireBinary, "127.0.0.1:" + team, mine, "--json"], environment: env)
        #expect(clone.status == 0, "\(clone.stderr)")
        #expect(try digest(mine, content: true) == digest(team, content: true))
        #expect(try digest(mine) != digest(team), "the clone's import record is not in the source yet")
        let remotes = try #require(try parseJSON(try quire(["-A", mine, "remote", "list", "--json"])) as? [[String: Any]])
        #expect(remotes.first?["name"] as? String == "origin" && remotes.first?["remote_quire"] as? String == quireBinary)
        let status = try quire(["-A", mine, "status"], environment: env)
        #expect(status.status == 0 && status.stdoutText.contains("Up to date"), "\(status.stdoutText) \(status.stderr)")

        // New work on each side: a pull, a push, then sync settles both digests.
        #expect(try quire(["-A", team, "ingest", "-q", samples + "/day-2"]).status == 0)
        let behind = try quire(["-A", mine, "status", "--json"], environment: env)
        #expect(behind.status == 2)
        let pending = try #require(try parseJSON(behind) as? [String: Any])
        #expect((pending["pull"] as? [String: Any])?["events"] as? Int == 3)
        let pull = try quire(["-A", mine, "pull", "--json"], environment: env)
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect((try parseJSON(pull) as? [String: Any])?["received_events"] as? Int == 3)
        #expect(try digest(mine, content: true) == digest(team, content: true))

        try dir.write("extra/note.txt", "A note only this copy has.\n")
        #expect(try quire(["-A", mine, "ingest", "-q", dir.file("extra")]).status == 0)
        let push = try quire(["-A", mine, "push"], environment: env.merging(["QUIRE_PROGRESS": "always"]) { $1 })
        #expect(push.status == 0 && push.stdoutText.contains("Pushed"), "\(push.stdoutText) \(push.stderr)")
        // The bytes sent are counted on the progress line, then the wait for the remote's import is named.
        #expect(push.stderr.contains("push: ") && push.stderr.contains("sent; the remote is importing it"), "\(push.stderr)")
        let sync = try quire(["-A", mine, "sync", "--json"], environment: env)
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(try digest(mine) == digest(team))
        #expect(try quire(["-A", mine, "sync"], environment: env).stdoutText.contains("sent 0 events, received 0"))
        let peers = try #require(try parseJSON(try quire(["-A", mine, "peers", "--json"])) as? [[String: Any]])
        #expect(peers.map { $0["name"] as? String } == ["origin"])
        for archive in [mine, team] { try expectClean(archive) }
    }

    @Test("a connection cut mid-transfer, or a client killed, leaves both sides clean; the rerun completes")
    func interrupted() throws {
        let server = try SSHServer()
        let dir = TemporaryDirectory("cli-ssh-kill")
        let team = dir.file("team.quire"), mine = dir.file("mine.quire")
        _ = try NewsCorpus(articles: 1500, seed: 19).write(to: dir.file("corpus"))
        #expect(try quire(["-A", team, "ingest", "-q", dir.file("corpus")]).status == 0)
        #expect(try quire(["init", mine]).status == 0)
        #expect(try quire(["-A", mine, "remote", "add", "team", "ssh://127.0.0.1" + team, "--remote-quire", quireBinary]).status == 0)
        let before = (try digest(team), try digest(mine))

        // The server's answer cut after 200 KB, and the client's bundle cut after 200 KB.
        // (A proxy that ends ssh when it stops: `ssh | head` would keep ssh, and so the pipe, open.)
        let proxy = """
            import subprocess, sys
            ssh = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE)
            left = int(sys.argv[1])
            while left > 0:
                chunk = ssh.stdout.read1(min(left, 65536))
                if not chunk: break
                sys.stdout.buffer.write(chunk); sys.stdout.buffer.flush(); left -= len(chunk)
            ssh.kill()
            """
        let proxyFile = try dir.write("cut.py", proxy)
        let cutDown = try dir.write("cut-down", "#!/bin/sh\nexec python3 \(proxyFile) 200000 \(server.sshCommand()) \"$@\"\n")
        chmod(cutDown, 0o755)
        let cut = try quire(["-A", mine, "pull", "team"], environment: ["QUIRE_SSH_COMMAND": cutDown])
        #expect(cut.status == 1 && cut.stderr.contains("nothing was imported"), "\(cut.stderr)")
        #expect(try digest(team) == before.0 && digest(mine) == before.1)

        // Killed while the pull runs.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: quireBinary)
        process.arguments = ["-A", mine, "pull", "team"]
        process.environment = ProcessInfo.processInfo.environment.merging(server.environment()) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(600_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        for archive in [team, mine] { try expectClean(archive) }
        #expect(try digest(team) == before.0)
        if process.terminationReason == .exit { print("note: the pull finished before it could be killed") }

        let rerun = try quire(["-A", mine, "pull", "team"], environment: server.environment())
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try digest(mine, content: true) == digest(team, content: true))

        // A push cut on its way, then completed.
        try dir.write("extra/note.txt", "Only here.\n")
        #expect(try quire(["-A", mine, "ingest", "-q", dir.file("corpus"), dir.file("extra"), "--batch", "again"]).status == 0)
        let teamBefore = try digest(team)
        // (dd, not head: head holds what it read in a buffer until it has all 600 bytes.)
        let tinyCut = try dir.write("cut-tiny", "#!/bin/sh\ndd bs=1 count=600 status=none | \(server.sshCommand()) \"$@\"\n")
        chmod(tinyCut, 0o755)
        let cutPush = try quire(["-A", mine, "push", "team"], environment: ["QUIRE_SSH_COMMAND": tinyCut])
        #expect(cutPush.status == 1, "\(cutPush.stdoutText) \(cutPush.stderr)")
        #expect(try digest(team) == teamBefore)
        #expect(try quire(["-A", mine, "push", "team"], environment: server.environment()).status == 0)
        #expect(try quire(["-A", mine, "sync", "team"], environment: server.environment()).status == 0)
        #expect(try digest(mine) == digest(team))
        for archive in [team, mine] { try expectClean(archive) }
    }

    @Test("a wrong path, a host without quire, a refused key and a read-only push: clear errors, nothing changed")
    func refusals() throws {
        let dir = TemporaryDirectory("cli-ssh-refused")
        let team = dir.file("team.quire"), mine = dir.file("mine.quire")
        let server = try SSHServer(extraAuthorizedKeys: { keys in
            "command=\"\(quireBinary) serve --stdio --read-only \(team)\",restrict " + String(decoding: try readFile(keys.file("reader.pub")), as: UTF8.self)
        })
        #expect(try quire(["-A", team, "ingest", "-q", samples + "/day-1"]).status == 0)
        #expect(try quire(["-A", mine, "ingest", "-q", samples + "/day-2"]).status == 0)
        let before = (try digest(team), try digest(mine))
        let env = server.environment()
        let cases: [(args: [String], env: [String: String], message: String)] = [
            (["pull", "127.0.0.1:" + dir.file("missing.quire"), "--remote-quire", quireBinary], env, "there is no archive at"),
            (["pull", "127.0.0.1:" + team, "--remote-quire", "/nowhere/quire"], env, "has no quire program at '/nowhere/quire'"),
            (["pull", "127.0.0.1:" + team], env, "has no quire program at 'quire'"),
            (["pull", "127.0.0.1:" + team, "--remote-quire", quireBinary], server.environment(key: "stranger"), "Permission denied"),
            (["push", "127.0.0.1:" + team], server.environment(key: "reader"), "read-only"),
            (["sync", "127.0.0.1:" + team], server.environment(key: "reader"), "read-only"),
        ]
        for c in cases {
            let r = try quire(["-A", mine] + c.args, environment: c.env)
            #expect(r.status == 1, "\(c.args): \(r.stdoutText)")
            #expect(r.stderr.hasPrefix("Error: ") && r.stderr.contains(c.message), "\(c.args): \(r.stderr)")
            #expect(!r.stderr.contains("quire init"), "\(r.stderr)")
        }
        #expect(try digest(team) == before.0 && digest(mine) == before.1)
        // The read-only key still pulls (the forced command serves the path it names).
        let pull = try quire(["-A", mine, "pull", "127.0.0.1:/any/path"], environment: server.environment(key: "reader"))
        #expect(pull.status == 0 && pull.stdoutText.contains("Pulled"), "\(pull.stderr)")
        #expect(try digest(team) == before.0, "a read-only server writes nothing, not even its exchange log")
    }
}
