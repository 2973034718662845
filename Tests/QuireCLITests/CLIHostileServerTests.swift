import Foundation
import Testing
import TestSupport

/// A broken or hostile far end of an ssh remote: a fake `ssh` (QUIRE_SSH_COMMAND) that runs a
/// small Python program speaking the framed protocol wrongly on purpose (docs/sync-protocol.md):
/// another protocol version, unknown frames, a length past the limit, a hello that is not JSON or
/// lacks its fields, this archive's own id, a bundle that is garbage or cut short, an error frame,
/// a reply of the wrong kind. Each pull, push, sync, status and clone gives a clear error, exit 1,
/// and leaves the archive (and the clone's target) as it was.
@Suite("CLI hostile sync servers")
struct CLIHostileServerTests {
    /// The fake server. It reads the client's greeting and hello, answers as `mode` says, and for
    /// a request answers per mode too.
    static let server = #"""
    import json, struct, sys
    mode = sys.argv[1]
    out, inp = sys.stdout.buffer, sys.stdin.buffer
    def frame(t, payload):
        if isinstance(payload, (dict, list)): payload = json.dumps(payload).encode()
        out.write(t.encode() + struct.pack(">I", len(payload)) + payload); out.flush()
    def read_frame():
        head = inp.read(5)
        if len(head) < 5: sys.exit(0)
        n = struct.unpack(">I", head[1:])[0]
        return head[0:1].decode(), inp.read(n)
    def greet(version=1):
        out.write(b"QUIRESYN" + struct.pack(">H", version)); out.flush()
    other = "0b0b0b0b-0000-4000-8000-000000000000"
    rich = {"format": "quire-state-1", "archive": other, "origins": {other: {"seq": 5, "hash": "ab" * 32}}}
    if mode == "version":
        greet(2); inp.read(); sys.exit(0)
    greet()
    client_greeting = inp.read(10)
    t, hello = read_frame()
    client = json.loads(hello)["archive"]
    if mode == "unknown-frame": frame("Z", b"")
    elif mode == "huge-frame": out.write(b"H" + struct.pack(">I", 0xFFFFFFF0)); out.flush()
    elif mode == "hello-not-json": frame("H", b"{not json")
    elif mode == "hello-no-id": frame("H", {"protocol": 1})
    elif mode == "own-id": frame("H", {"protocol": 1, "archive": client, "state": {"origins": {}}})
    elif mode == "bad-state": frame("H", {"protocol": 1, "archive": other, "state": {"origins": {other: {"seq": "x"}}}})
    elif mode == "error-frame": frame("X", {"code": "refused", "message": "the disk of the lab server is full"})
    else: frame("H", {"protocol": 1, "archive": other, "state": rich, "read_only": False})
    while True:
        t, payload = read_frame()
        request = json.loads(payload)
        op = request.get("op")
        if op == "bye": frame("R", {}); sys.exit(0)
        if mode == "garbage-bundle" and op == "send":
            frame("D", b"QUIREBND" + b"\xff" * 5000); frame("E", {})
        elif mode == "cut-bundle" and op == "send":
            frame("D", b"QUIREBND" + b"\x00" * 100); sys.exit(0)
        elif mode == "cut-frame":
            out.write(b"R" + struct.pack(">I", 1000) + b"{\"partial\""); out.flush(); sys.exit(0)
        elif mode == "wrong-reply":
            if op == "send": frame("R", {})
            else: frame("D", b"stray bytes")
        elif mode == "reply-not-json":
            frame("R", b"\x00\x01\x02")
        else:
            frame("X", {"code": "refused", "message": "no"})
    """#

    @Test("each broken answer: a clear error, exit 1, nothing changed")
    func brokenServers() throws {
        let dir = TemporaryDirectory("cli-hostile-server")
        let mine = dir.file("mine.quire")
        #expect(try quire(["-A", mine, "ingest", "-q", samples + "/day-1"]).status == 0)
        let script = try dir.write("server.py", Self.server)
        let before = try quire(["-A", mine, "digest"]).stdout
        let peersBefore = try quire(["-A", mine, "peers", "--json"]).stdout
        let cases: [(mode: String, commands: [[String]], message: String)] = [
            ("version", [["pull"], ["push"], ["status"]], "speaks sync protocol version 2; this quire speaks version 1"),
            ("unknown-frame", [["pull"], ["sync"]], "sent a frame of unknown type 0x5a: not the Quire sync protocol"),
            ("huge-frame", [["pull"], ["push"]], "more than the protocol allows"),
            ("hello-not-json", [["pull"]], "its hello that is not valid JSON"),
            ("hello-no-id", [["pull"]], "sent a hello without an archive id and state"),
            ("own-id", [["pull"], ["push"]], "has this archive's id"),
            ("bad-state", [["pull"]], "state entry for origin"),
            ("error-frame", [["pull"], ["status"]], "the disk of the lab server is full"),
            ("garbage-bundle", [["pull"]], "bundle"),
            ("cut-bundle", [["pull"]], "nothing was imported"),
            ("cut-frame", [["status"], ["push"]], "nothing was imported"),
            ("wrong-reply", [["status"], ["push"]], "sent a 'D' frame where"),
            ("wrong-reply", [["pull"]], "answered a request for a bundle with a frame of another kind"),
            ("reply-not-json", [["status"]], "that is not valid JSON"),
        ]
        for c in cases {
            let fakeSSH = try dir.write("ssh-\(c.mode)", "#!/bin/sh\nexec python3 \(script) \(c.mode)\n")
            chmod(fakeSSH, 0o755)
            for command in c.commands {
                let args = ["-A", mine] + command + ["lab:/srv/team.quire"]
                let r = try quire(args, environment: ["QUIRE_SSH_COMMAND": fakeSSH])
                #expect(r.status == 1, "\(c.mode) \(command): \(r.status) \(r.stdoutText) \(r.stderr)")
                #expect(r.stderr.hasPrefix("Error: ") && r.stderr.contains(c.message), "\(c.mode) \(command): \(r.stderr)")
                #expect(!r.stderr.contains("quire init"), "\(r.stderr)")
            }
            // A clone from it leaves nothing behind.
            let target = dir.file("clone-\(c.mode).quire")
            let clone = try quire(["clone", "lab:/srv/team.quire", target], environment: ["QUIRE_SSH_COMMAND": fakeSSH])
            #expect(clone.status == 1, "\(c.mode) clone: \(clone.stdoutText)")
            #expect(!FileManager.default.fileExists(atPath: target), "\(c.mode): a failed clone left \(target)")
        }
        #expect(try quire(["-A", mine, "digest"]).stdout == before)
        #expect(try quire(["-A", mine, "peers", "--json"]).stdout == peersBefore)
        #expect(try quire(["-A", mine, "verify", "--no-record"]).status == 0)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "scratch files left: \(leftovers)")
    }
}
