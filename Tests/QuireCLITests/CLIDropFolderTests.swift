import Foundation
import Testing
import TestSupport

/// Drop folders carried by a real sync engine: each archive syncs with a folder of its own, and
/// `rclone copy` / `rclone sync` (Debian's rclone) carry the folders to a hub and back in random
/// orders, partial runs (a random part of the files), repeated runs and conflict copies. Then a
/// few full rounds, and every copy's content digest must be equal and every copy verify clean.
/// The hub is a local folder, or an S3 bucket served by moto_server through rclone's S3 backend.
@Suite("CLI drop folders", .serialized)
struct CLIDropFolderTests {
    /// How rclone is run: the hub's name and the environment (for S3, its config and no CA bundle).
    struct Hub {
        let remote: String
        let environment: [String: String]
        let unsetCABundle: Bool
    }

    func rclone(_ hub: Hub, _ args: [String]) throws -> ProcessResult {
        var env = hub.environment
        env["RCLONE_CONFIG"] = "/dev/null"
        let program = hub.unsetCABundle ? "env" : "rclone"
        let arguments = (hub.unsetCABundle ? ["-u", "AWS_CA_BUNDLE", "rclone"] : []) + args
        let r = try runProcess(program, arguments, environment: env)
        #expect(r.status == 0, "rclone \(args): \(r.stderr)")
        return r
    }

    func contentDigest(_ archive: String) throws -> String {
        try quire(["-A", archive, "digest", "--content"]).stdoutText.trimmingCharacters(in: .newlines)
    }

    /// Every file under `folder`, relative.
    func files(_ folder: String) -> [String] {
        (FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String } ?? []).filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder + "/" + $0, isDirectory: &isDirectory) && !isDirectory.boolValue
        }.sorted()
    }

    /// Runs the scenario for `count` archives through `hub`.
    func converge(count: Int, hub: Hub, seed: UInt64) throws {
        let dir = TemporaryDirectory("cli-drop")
        var random = SeededRandom(seed: seed)
        let days = ["day-1", "day-2"]
        var archives: [String] = [], folders: [String] = []
        for i in 0..<count {
            let archive = dir.file("copy\(i).quire"), folder = dir.file("folder\(i)")
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            #expect(try quire(["-A", archive, "ingest", "-q", samples + "/" + days[i % 2], "--batch", "start \(i)"]).status == 0)
            #expect(try quire(["-A", archive, "remote", "add", "drop", "folder:" + folder]).status == 0)
            archives.append(archive)
            folders.append(folder)
        }
        var notes = 0
        for step in 0..<(8 * count) {
            let i = Int(random.next() % UInt64(count))
            switch random.next() % 6 {
            case 0:
                let r = try quire(["-A", archives[i], "sync", "drop"])
                #expect(r.status == 0, "step \(step) sync: \(r.stderr)")
            case 1:
                notes += 1
                try dir.write("new\(notes)/note.txt", "Note \(notes), written by copy \(i) at step \(step).\n")
                #expect(try quire(["-A", archives[i], "ingest", "-q", dir.file("new\(notes)")]).status == 0)
            case 2:
                // A partial run: a random part of the files, up or down.
                let up = random.next() % 2 == 0
                let source = up ? folders[i] : hub.remote
                let listed = up ? files(folders[i]) : try rclone(hub, ["lsf", "-R", "--files-only", hub.remote]).stdoutText.split(separator: "\n").map(String.init)
                let part = listed.filter { _ in random.next() % 2 == 0 }
                try dir.write("part.txt", part.joined(separator: "\n") + "\n")
                _ = try rclone(hub, ["copy", "--files-from", dir.file("part.txt"), source, up ? hub.remote : folders[i]])
            case 3:
                _ = try rclone(hub, ["copy", folders[i], hub.remote])
                _ = try rclone(hub, ["copy", hub.remote, folders[i]])
            case 4:
                // rclone sync makes the target a mirror: it deletes what the other side lacks.
                if random.next() % 2 == 0 {
                    _ = try rclone(hub, ["sync", folders[i], hub.remote])
                } else {
                    _ = try rclone(hub, ["sync", hub.remote, folders[i]])
                }
            default:
                // A conflict copy, as Dropbox or Syncthing make them.
                let bundles = files(folders[i]).filter { $0.hasSuffix(".bundle") }
                if let pick = bundles.randomElement(using: &random) {
                    let copy = folders[i] + "/" + pick.replacingOccurrences(of: ".bundle", with: " (conflicted copy).bundle")
                    try? FileManager.default.copyItem(atPath: folders[i] + "/" + pick, toPath: copy)
                }
            }
        }
        // Full rounds: every copy syncs and its folder goes up, then every folder comes down.
        for _ in 0..<3 {
            for i in 0..<count {
                let r = try quire(["-A", archives[i], "sync", "drop"])
                #expect(r.status == 0, "\(r.stderr)")
                _ = try rclone(hub, ["copy", folders[i], hub.remote])
            }
            for i in 0..<count { _ = try rclone(hub, ["copy", hub.remote, folders[i]]) }
        }
        for i in 0..<count { #expect(try quire(["-A", archives[i], "pull", "drop"]).status == 0) }
        let digests = try archives.map(contentDigest)
        #expect(Set(digests).count == 1, "content digests differ: \(digests)")
        for archive in archives {
            let verify = try quire(["-A", archive, "verify", "--no-record"])
            #expect(verify.status == 0, "\(verify.stdoutText)")
            let status = try quire(["-A", archive, "status", "drop"])
            #expect(status.status == 0, "\(status.stdoutText)")
        }
        let ls = try archives.map { try quire(["-A", $0, "ls", "--json"]).stdout }
        #expect(Set(ls).count == 1)
        // A new copy cloned from a folder has the same content.
        let clone = try quire(["clone", "folder:" + folders[0], dir.file("newcomer.quire")])
        #expect(clone.status == 0, "\(clone.stderr)")
        #expect(try contentDigest(dir.file("newcomer.quire")) == digests[0])
    }

    func localHub() throws -> (Hub, TemporaryDirectory) {
        guard toolExists("rclone") else { try skip("rclone is not installed (apt-get install rclone)") }
        let hub = TemporaryDirectory("drop-hub")
        return (Hub(remote: hub.path, environment: [:], unsetCABundle: false), hub)
    }

    @Test("two archives, each with its own folder, kept in step by rclone, converge")
    func twoCopies() throws {
        let (hub, folder) = try localHub()
        defer { withExtendedLifetime(folder) {} }
        try converge(count: 2, hub: hub, seed: 1)
    }

    @Test("three archives, each with its own folder, kept in step by rclone, converge")
    func threeCopies() throws {
        let (hub, folder) = try localHub()
        defer { withExtendedLifetime(folder) {} }
        try converge(count: 3, hub: hub, seed: 2)
    }

    @Test("three archives through an S3 bucket (moto_server, rclone's S3 backend) converge")
    func throughS3() throws {
        guard toolExists("rclone") else { try skip("rclone is not installed (apt-get install rclone)") }
        guard toolExists("moto_server") else { try skip("moto_server is not installed (pip install 'moto[server]')") }
        let port = try freePort()
        let moto = Process()
        moto.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        moto.arguments = ["moto_server", "-H", "127.0.0.1", "-p", String(port)]
        moto.standardOutput = FileHandle.nullDevice
        moto.standardError = FileHandle.nullDevice
        try moto.run()
        // SIGKILL: a child started from a test thread inherits its blocked signals, SIGTERM among them.
        defer { kill(moto.processIdentifier, SIGKILL); moto.waitUntilExit() }
        let env = ["RCLONE_CONFIG_QUIRES3_TYPE": "s3", "RCLONE_CONFIG_QUIRES3_PROVIDER": "Other",
                   "RCLONE_CONFIG_QUIRES3_ENDPOINT": "http://127.0.0.1:\(port)", "RCLONE_CONFIG_QUIRES3_ACCESS_KEY_ID": "quire",
                   "RCLONE_CONFIG_QUIRES3_SECRET_ACCESS_KEY": "quire-secret", "RCLONE_CONFIG_QUIRES3_REGION": "us-east-1"]
        let hub = Hub(remote: "quires3:drop", environment: env, unsetCABundle: true)
        let ready = waitFor(20) {
            (try? runProcess("env", ["-u", "AWS_CA_BUNDLE", "rclone", "mkdir", "quires3:drop"], environment: env.merging(["RCLONE_CONFIG": "/dev/null"]) { _, n in n }).status) == 0
        }
        guard ready else { try skip("moto_server did not answer on 127.0.0.1:\(port)") }
        try converge(count: 3, hub: hub, seed: 3)
    }
}
