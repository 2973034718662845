import Foundation
import Testing
import TestSupport

/// Remotes, clone, status, settings and the content digest with archive files and drop folders
/// on this machine; and bad input, each with a clear error and the archive unchanged.
@Suite("CLI remotes")
struct CLIRemoteTests {
    func digest(_ archive: String, content: Bool = false) throws -> String {
        try quire(["-A", archive, "digest"] + (content ? ["--content"] : [])).stdoutText.trimmingCharacters(in: .newlines)
    }

    @Test("clone of an archive file: own id, remote origin; digest --content equal at once, digest after sync")
    func cloneAndDigests() throws {
        let dir = TemporaryDirectory("cli-remote")
        let team = dir.file("team.quire")
        #expect(try quire(["-A", team, "ingest", "-q", samples + "/day-1"]).status == 0)
        // PATH defaults to the source's name in the current folder.
        try FileManager.default.createDirectory(atPath: dir.file("sub"), withIntermediateDirectories: true)
        let clone = try quire(["clone", "../team.quire", "--json"], cwd: dir.file("sub"))
        #expect(clone.status == 0, "\(clone.stderr)")
        let report = try #require(try parseJSON(clone) as? [String: Any])
        #expect(report["archive"] as? String == "team.quire" && FileManager.default.fileExists(atPath: dir.file("sub/team.quire")))
        // Cloning into a path that is taken is refused, and the file is left as it was.
        let taken = try readFile(dir.file("sub/team.quire"))
        let again = try quire(["clone", "../team.quire"], cwd: dir.file("sub"))
        #expect(again.status == 1 && again.stderr.contains("already exists"), "\(again.stderr)")
        #expect(try readFile(dir.file("sub/team.quire")) == taken)

        let mine = dir.file("mine.quire")
        #expect(try quire(["clone", team, mine]).status == 0)
        let ids = try [team, mine].map { try #require(try parseJSON(try quire(["-A", $0, "stats", "--json"])) as? [String: Any])["archive_id"] as? String }
        #expect(ids[0] != ids[1])
        #expect(try digest(mine, content: true) == digest(team, content: true))
        #expect(try digest(mine) != digest(team))
        #expect(try quire(["-A", mine, "status"]).status == 0)
        #expect(try quire(["-A", mine, "sync"]).status == 0)
        #expect(try digest(mine) == digest(team))
        let remotes = try #require(try parseJSON(try quire(["-A", mine, "remote", "--json"])) as? [[String: Any]])
        #expect(remotes.count == 1 && remotes[0]["name"] as? String == "origin" && remotes[0]["url"] as? String == resolved(team))
        // No leftovers of the clone's temporary file.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("cloning") }.isEmpty)
    }

    func resolved(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().path }

    @Test("clone of a bundle file; clone of what is not an archive creates nothing")
    func cloneSources() throws {
        let dir = TemporaryDirectory("cli-clone")
        let team = dir.file("team.quire")
        #expect(try quire(["-A", team, "ingest", "-q", samples + "/day-2"]).status == 0)
        #expect(try quire(["-A", team, "bundle", "create", dir.file("all.bundle")]).status == 0)
        let fromBundle = try quire(["clone", dir.file("all.bundle"), dir.file("b.quire"), "--json"])
        #expect(fromBundle.status == 0, "\(fromBundle.stderr)")
        #expect((try parseJSON(fromBundle) as? [String: Any])?["origin"] is NSNull)
        #expect(try digest(dir.file("b.quire"), content: true) == digest(team, content: true))

        try dir.write("notes.txt", "not an archive\n")
        for (source, message) in [(dir.file("notes.txt"), "not a Quire archive"), (dir.file("nothing-here"), "neither a remote")] {
            let r = try quire(["clone", source, dir.file("x.quire")])
            #expect(r.status == 1 && r.stderr.contains(message), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.file("x.quire")))
        }
        // (SQLite's -wal and -shm files beside an archive that was read are not leftovers.)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }.sorted()
        #expect(left == ["all.bundle", "b.quire", "notes.txt", "team.quire"], "\(left)")
    }

    @Test("remote add, rename, remove; the peer takes the remote's name; peers rename")
    func remotes() throws {
        let dir = TemporaryDirectory("cli-remotes")
        let a = dir.file("a.quire"), b = dir.file("b.quire")
        #expect(try quire(["-A", a, "ingest", "-q", samples + "/day-1"]).status == 0)
        #expect(try quire(["-A", b, "ingest", "-q", samples + "/day-2"]).status == 0)
        let added = try #require(try parseJSON(try quire(["-A", a, "remote", "add", "bee", b, "--json"])) as? [String: Any])
        #expect((added["added"] as? [String: Any])?["name"] as? String == "bee")
        #expect((added["added"] as? [String: Any])?["url"] as? String == b)
        #expect(try quire(["-A", a, "sync", "bee"]).status == 0)
        var peers = try #require(try parseJSON(try quire(["-A", a, "peers", "--json"])) as? [[String: Any]])
        #expect(peers.map { $0["name"] as? String } == ["bee"])
        let renamed = try #require(try parseJSON(try quire(["-A", a, "remote", "rename", "bee", "bob", "--json"])) as? [String: Any])
        #expect(renamed["renamed"] as? String == "bee")
        #expect((renamed["remote"] as? [String: Any])?["name"] as? String == "bob")
        peers = try #require(try parseJSON(try quire(["-A", a, "peers", "--json"])) as? [[String: Any]])
        #expect(peers.map { $0["name"] as? String } == ["bob"])
        #expect(try quire(["-A", a, "peers", "rename", "bob", "robert"]).status == 0)
        peers = try #require(try parseJSON(try quire(["-A", a, "peers", "--json"])) as? [[String: Any]])
        #expect(peers.map { $0["name"] as? String } == ["robert"])
        // Peers met through sync with a plain path are recorded by the archive path, never a scratch file.
        for peer in try #require(try parseJSON(try quire(["-A", b, "peers", "--json"])) as? [[String: Any]]) {
            for e in peer["exchanges"] as? [[String: Any]] ?? [] {
                let file = e["file"] as? String ?? ""
                #expect(!file.contains(".quire-sync-") && !file.contains("/proc/"), "\(file)")
            }
        }
        let removed = try #require(try parseJSON(try quire(["-A", a, "remote", "remove", "bob", "--json"])) as? [String: Any])
        #expect((removed["removed"] as? [String: Any])?["url"] as? String == b)
        #expect(try quire(["-A", a, "remote", "list"]).stdoutText.contains("No remotes"))
    }

    @Test("bad remotes and settings: clear errors, the archive unchanged")
    func badInput() throws {
        let dir = TemporaryDirectory("cli-remote-bad")
        let a = dir.file("a.quire")
        #expect(try quire(["-A", a, "ingest", "-q", samples + "/day-1"]).status == 0)
        #expect(try quire(["-A", a, "remote", "add", "origin", dir.file("elsewhere.quire")]).status == 0)
        let before = try digest(a)
        let remotesBefore = try quire(["-A", a, "remote", "--json"]).stdout
        let failing = try dir.write("failing-ssh", "#!/bin/sh\necho 'ssh: Could not resolve hostname host: Name or service not known' >&2\nexit 255\n")
        chmod(failing, 0o755)
        let talker = try dir.write("chatty-ssh", "#!/bin/sh\necho 'Welcome to the lab server!'\ncat >/dev/null\n")
        chmod(talker, 0o755)
        let cases: [(args: [String], status: Int32, message: String, env: [String: String])] = [
            (["remote", "add", "-bad", "x.quire"], 64, "unknown option", [:]),
            (["remote", "add", "bad/name", "x.quire"], 64, "cannot be a remote's name", [:]),
            (["remote", "add", "origin", "x.quire"], 1, "already has a remote named 'origin'", [:]),
            (["remote", "add", "web", "ssh://host"], 64, "names no archive path", [:]),
            (["remote", "add", "web", "ssh://host:99999/x"], 64, "port", [:]),
            (["remote", "remove", "nope"], 1, "no remote named 'nope'; the remotes are origin", [:]),
            (["remote", "rename", "nope", "x"], 1, "no remote named 'nope'", [:]),
            (["pull", "nope"], 1, "neither a remote of this archive", [:]),
            (["pull"], 1, "there is no archive at", [:]),
            (["push", "origin"], 1, "there is no archive at", [:]),
            (["sync", "ana@host:/srv/x.quire"], 1, "cannot reach ana@host:/srv/x.quire through ssh: ssh: Could not resolve", ["QUIRE_SSH_COMMAND": failing]),
            (["pull", "host:/srv/x.quire"], 1, "did not answer as `quire serve` does: it said \"Welcome to the lab server!\"", ["QUIRE_SSH_COMMAND": talker]),
            (["status", "folder:" + dir.file("no-such-folder")], 1, "does not exist", [:]),
            (["sync", a], 1, "is this same archive file", [:]),
            (["config", "colour", "blue"], 64, "unknown setting 'colour'", [:]),
            (["config", "default-remote", "nope"], 1, "no remote named 'nope'", [:]),
            (["config", "agent", ""], 64, "one line of text", [:]),
            (["serve", a], 64, "needs --stdio", [:]),
        ]
        for c in cases {
            let r = try quire(["-A", a] + c.args, environment: c.env)
            #expect(r.status == c.status, "\(c.args): \(r.status) \(r.stderr)")
            #expect(r.stderr.hasPrefix("Error: ") && r.stderr.contains(c.message), "\(c.args): \(r.stderr)")
            #expect(!r.stderr.contains("quire init"), "\(c.args): \(r.stderr)")
        }
        #expect(try digest(a) == before)
        #expect(try quire(["-A", a, "remote", "--json"]).stdout == remotesBefore)
        #expect(!FileManager.default.fileExists(atPath: dir.file("elsewhere.quire")))
        let noRemote = try quire(["-A", dir.file("b.quire"), "init"])
        #expect(noRemote.status == 0)
        let r = try quire(["-A", dir.file("b.quire"), "pull"])
        #expect(r.status == 64 && r.stderr.contains("has no remote"), "\(r.stderr)")
    }

    @Test("config: archive and user settings, QUIRE_AGENT, the source of ingests, default-remote")
    func settings() throws {
        let dir = TemporaryDirectory("cli-config")
        let a = dir.file("a.quire"), b = dir.file("b.quire")
        let env = ["XDG_CONFIG_HOME": dir.file("config")]
        #expect(try quire(["init", a]).status == 0)
        #expect(try quire(["config", "--global", "agent", "ana@lab"], environment: env).status == 0)
        #expect(try String(contentsOfFile: dir.file("config/quire/config"), encoding: .utf8).contains("agent = ana@lab"))
        #expect(try quire(["-A", a, "config", "source", "wire-feed"], environment: env).status == 0)
        #expect(try quire(["-A", a, "config", "agent"], environment: env).stdoutText == "ana@lab\n")
        let list = try #require(try parseJSON(try quire(["-A", a, "config", "--json"], environment: env)) as? [String: [String: String]])
        #expect(list["agent"] == ["value": "ana@lab", "scope": "user"] && list["source"] == ["value": "wire-feed", "scope": "archive"])
        #expect(try quire(["-A", a, "ingest", "-q", samples + "/day-1"], environment: env).status == 0)
        #expect(try quire(["-A", a, "ingest", "-q", samples + "/day-2"], environment: env.merging(["QUIRE_AGENT": "bot@ci"]) { _, n in n }).status == 0)
        let batches = try #require(try parseJSON(try quire(["-A", a, "batches", "--json"])) as? [[String: Any]])
        #expect(batches.map { $0["agent"] as? String } == ["ana@lab", "bot@ci"])
        #expect(batches.allSatisfy { $0["source"] as? String == "wire-feed" })
        #expect(try quire(["-A", a, "config", "--unset", "source"]).status == 0)
        #expect(try quire(["-A", a, "config", "source"], environment: env).status == 1)
        #expect(try quire(["-A", a, "config", "signing-key", dir.file("no-such-key")]).status == 0)
        let unreadable = try quire(["-A", a, "ingest", "-q", samples + "/day-1"])
        #expect(unreadable.status != 0 && unreadable.stderr.contains("no-such-key"), "a configured key that cannot be read stops writes: \(unreadable.stderr)")
        #expect(try quire(["-A", a, "config", "--unset", "signing-key"]).status == 0)

        #expect(try quire(["init", b]).status == 0)
        #expect(try quire(["-A", a, "remote", "add", "first", dir.file("nowhere.quire")]).status == 0)
        #expect(try quire(["-A", a, "remote", "add", "bee", b]).status == 0)
        #expect(try quire(["-A", a, "config", "default-remote", "bee"]).status == 0)
        #expect(try quire(["-A", a, "push"]).status == 0)
        #expect(try digest(b, content: true) == digest(a, content: true))
        #expect(try quire(["-A", a, "remote", "rename", "bee", "bea"]).status == 0)
        #expect(try quire(["-A", a, "config", "default-remote"]).stdoutText == "bea\n")
    }

    @Test("status: up to date, to pull, to push; an empty --for bundle is not an exchange")
    func status() throws {
        let dir = TemporaryDirectory("cli-status")
        let a = dir.file("a.quire"), b = dir.file("b.quire")
        #expect(try quire(["-A", a, "ingest", "-q", samples + "/day-1"]).status == 0)
        #expect(try quire(["clone", a, b]).status == 0)
        #expect(try quire(["-A", b, "ingest", "-q", samples + "/day-2"]).status == 0)
        let r = try quire(["-A", b, "status", "--json"])
        #expect(r.status == 2)
        let json = try #require(try parseJSON(r) as? [String: Any])
        #expect(json["up_to_date"] as? Bool == false)
        #expect((json["push"] as? [String: Any])?["events"] as? Int == 3)
        #expect((json["pull"] as? [String: Any])?["events"] as? Int == 0)
        #expect(try quire(["-A", a, "status", b]).stdoutText.contains("3 events and 2 blobs"))
        #expect(try quire(["-A", b, "sync"]).status == 0)
        #expect(try quire(["-A", b, "status"]).status == 0)

        let peersBefore = try quire(["-A", a, "peers", "--json"]).stdout
        let peer = try #require((try parseJSON(try quire(["-A", a, "peers", "--json"])) as? [[String: Any]])?.first?["archive"] as? String)
        let empty = try quire(["-A", a, "bundle", "create", dir.file("empty.bundle"), "--for", peer, "--json"])
        let emptyJSON = try parseJSON(empty) as? [String: Any]
        #expect(empty.status == 0 && emptyJSON?["events"] as? Int == 0)
        #expect(try quire(["-A", a, "peers", "--json"]).stdout == peersBefore)
    }

    @Test("a drop folder between two archive files: sync, status, clone; files are only added")
    func dropFolder() throws {
        let dir = TemporaryDirectory("cli-folder")
        let a = dir.file("a.quire"), b = dir.file("b.quire"), drop = dir.file("drop")
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        #expect(try quire(["-A", a, "ingest", "-q", samples + "/day-1"]).status == 0)
        #expect(try quire(["-A", b, "ingest", "-q", samples + "/day-2"]).status == 0)
        #expect(try quire(["-A", a, "status", drop]).status == 2)
        #expect(try quire(["-A", a, "sync", drop]).status == 0)
        #expect(try quire(["-A", a, "status", drop]).status == 0)
        let first = try FileManager.default.subpathsOfDirectory(atPath: drop).sorted()
        let aID = try #require((try parseJSON(try quire(["-A", a, "stats", "--json"])) as? [String: Any])?["archive_id"] as? String)
        #expect(first.contains("\(aID)/state.json") && first.filter { $0.hasSuffix(".bundle") }.count == 1)
        let bundle = try #require(first.first { $0.hasSuffix(".bundle") })
        let bytes = try readFile(drop + "/" + bundle)
        let name = (bundle as NSString).lastPathComponent
        #expect(name == sha256Hex(bytes) + ".bundle", "a bundle is named by the SHA-256 of its bytes")

        #expect(try quire(["-A", b, "status", "folder:" + drop]).status == 2)
        let sync = try quire(["-A", b, "sync", "folder:" + drop, "--json"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(try quire(["-A", a, "sync", drop]).status == 0)
        #expect(try quire(["-A", b, "sync", drop]).status == 0)
        #expect(try digest(a, content: true) == digest(b, content: true))
        // a's first file is still there, byte for byte: nobody rewrote or deleted it.
        #expect(try readFile(drop + "/" + bundle) == bytes)
        // Twice, and as a conflict copy: harmless.
        try FileManager.default.copyItem(atPath: drop + "/" + bundle, toPath: drop + "/" + bundle.replacingOccurrences(of: ".bundle", with: " (1).bundle"))
        let before = try digest(b)
        #expect(try quire(["-A", b, "pull", drop]).status == 0)
        #expect(try digest(b) == before)
        // A bundle still arriving (cut short) is left for later, not an error.
        let cut = dir.file("drop/late/x.bundle")
        try dir.write("drop/late/x.bundle", Array(bytes.prefix(bytes.count / 2)))
        let late = try quire(["-A", b, "pull", drop, "--json"])
        #expect(late.status == 0, "\(late.stderr)")
        try FileManager.default.removeItem(atPath: cut)
        let clone = try quire(["clone", drop, dir.file("c.quire")])
        #expect(clone.status == 0, "\(clone.stderr)")
        let listing = try FileManager.default.subpathsOfDirectory(atPath: drop).sorted()
        #expect(try digest(dir.file("c.quire"), content: true) == digest(a, content: true), "\(clone.stdoutText) \(listing)")
    }

    func sha256Hex(_ bytes: [UInt8]) -> String {
        let r = try? runProcess("sha256sum", [], stdin: bytes)
        return String(r?.stdoutText.prefix(64) ?? "")
    }
}
