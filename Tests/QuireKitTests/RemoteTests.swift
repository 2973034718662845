import Foundation
import Testing
import TestSupport
@testable import QuireKit

/// The library side of remotes: URLs, what a bundle for a state would carry (equal to what the
/// bundle writer writes), the content digest, remotes and settings kept in the archive.
@Suite("Remotes")
struct RemoteTests {
    @Test("URLs: ssh forms, folders, archive files, bad forms")
    func urls() throws {
        let dir = TemporaryDirectory("urls")
        let ssh = try RemoteLocation(parsing: "ssh://ana@lab.example:2222/srv/team.quire")
        #expect(ssh == .ssh(SSHAddress(user: "ana", host: "lab.example", port: 2222, path: "/srv/team.quire")))
        #expect(try RemoteLocation(parsing: "ssh://lab/~/team.quire") == .ssh(SSHAddress(user: nil, host: "lab", port: nil, path: "~/team.quire")))
        #expect(try RemoteLocation(parsing: "ana@lab:/srv/x.quire") == .ssh(SSHAddress(user: "ana", host: "lab", port: nil, path: "/srv/x.quire")))
        #expect(try RemoteLocation(parsing: "lab:team.quire") == .ssh(SSHAddress(user: nil, host: "lab", port: nil, path: "team.quire")))
        #expect(try RemoteLocation(parsing: "folder:/mnt/drop") == .folder("/mnt/drop"))
        #expect(try RemoteLocation(parsing: dir.path) == .folder(dir.path))
        #expect(try RemoteLocation(parsing: "./a:b.quire", mustExist: false) == .archiveFile("./a:b.quire"))
        #expect(try RemoteLocation(parsing: "x.quire", mustExist: false) == .archiveFile("x.quire"))
        #expect(try RemoteLocation(parsing: "ana@lab:/srv/team.quire").baseName == "team")
        #expect(SSHProcess.shellQuotedPath("/srv/it's.quire") == "'/srv/it'\\''s.quire'")
        #expect(SSHProcess.shellQuotedPath("~/a b.quire") == "~/'a b.quire'")
        for bad in ["", "ssh://host", "ssh://host:0/x", "ssh://-oProxyCommand=x/y", "folder:"] {
            #expect(throws: QuireError.self, "\(bad)") { try RemoteLocation(parsing: bad) }
        }
        #expect(throws: QuireError.self) { try RemoteLocation(parsing: dir.file("missing.quire")) }
    }

    @Test("pending(for:) counts what writeBundle writes, for empty, partial and full states")
    func pendingMatchesBundles() throws {
        let dir = TemporaryDirectory("pending")
        let a = try Archive.create(at: dir.file("a.quire"))
        let b = try Archive.create(at: dir.file("b.quire"))
        _ = try a.ingest(paths: [repositoryRoot + "/Archives/samples/day-1"])
        let middle = try a.state()
        _ = try a.ingest(paths: [repositoryRoot + "/Archives/samples/day-2"])
        _ = try b.ingest(paths: [repositoryRoot + "/Archives/samples/day-2"])
        _ = try a.verify(quick: true)
        for base in [ArchiveState(), middle, try a.state(), try b.state()] {
            let pending = try a.pending(for: base)
            let summary = try a.writeBundle(base: base) { _ in }
            #expect(pending.events + pending.custodyEvents == summary.header.events)
            #expect(pending.blobs == summary.header.blobs && pending.blobBytes == summary.header.blobBytes)
        }
        #expect(try a.pending(for: ArchiveState()).custodyEvents == 1, "the verify record is custody")
    }

    @Test("the content digest agrees after a one-way pull; the full digest after the way back")
    func contentDigest() throws {
        let dir = TemporaryDirectory("content-digest")
        let a = try Archive.create(at: dir.file("a.quire"))
        let b = try Archive.create(at: dir.file("b.quire"))
        _ = try a.ingest(paths: [repositoryRoot + "/Archives/samples/day-1"])
        let target = RemoteTarget(name: "a", url: a.path, location: .archiveFile(a.path), remoteQuire: nil)
        let pulled = try b.pull(from: target)
        #expect(pulled.received > 0)
        #expect(try a.contentDigest() == b.contentDigest())
        #expect(try a.digest() != b.digest())
        _ = try b.verify(quick: true)
        #expect(try a.contentDigest() == b.contentDigest(), "a verify record is custody too")
        _ = try b.sync(with: target)
        #expect(try a.digest() == b.digest())
        #expect(try b.peers().map(\.name) == ["a"])
    }

    @Test("remotes and settings are kept in the archive, never in its events")
    func keptLocally() throws {
        let dir = TemporaryDirectory("remotes")
        let a = try Archive.create(at: dir.file("a.quire"))
        let events = try a.state()
        try a.addRemote(Remote(name: "origin", url: "lab:/srv/team.quire", remoteQuire: "/opt/quire/bin/quire"))
        try a.addRemote(Remote(name: "drop", url: "folder:/mnt/drop"))
        #expect(try a.defaultRemote()?.name == "origin")
        try a.setArchiveSetting(.defaultRemote, "drop")
        #expect(try a.defaultRemote()?.name == "drop")
        try a.renameRemote("drop", to: "share")
        #expect(try a.archiveSetting(.defaultRemote) == "share")
        #expect(try a.remotes().map(\.name) == ["origin", "share"])
        #expect(throws: QuireError.self) { try a.addRemote(Remote(name: "origin", url: "x.quire")) }
        #expect(throws: QuireError.self) { try a.renameRemote("origin", to: "share") }
        try a.removeRemote("share")
        #expect(try a.remotes() == [Remote(name: "origin", url: "lab:/srv/team.quire", remoteQuire: "/opt/quire/bin/quire")])
        #expect(try a.state() == events)
    }
}
