#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What `sync` did.
public struct SyncReport: Sendable {
    /// Bundles exchanged (two per round).
    public let rounds: Int
    /// Events the other archive got from this one, and this one from the other.
    public let sent: Int
    public let received: Int
    /// The digest both archives share afterwards.
    public let digest: String

    public var json: JSON {
        ["rounds": .int(Int64(rounds)), "sent_events": .int(Int64(sent)), "received_events": .int(Int64(received)), "digest": .string(digest)]
    }
}

/// Removes the `.quire-sync-*.bundle` and `.quire-stdin-*.bundle` files earlier versions left
/// in `directory` when a sync or an import from stdin was killed (this version leaves none).
func removeLeftoverSyncFiles(in directory: String) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
    for name in names where (name.hasPrefix(".quire-sync-") || name.hasPrefix(".quire-stdin-")) && name.hasSuffix(".bundle") {
        unlink(directory + "/" + name)
    }
}

/// The resolved path of `path`, or the path itself when it cannot be resolved.
private func realpath(_ path: String) -> String {
    guard let resolved = Glibc.realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}

extension Archive {
    /// Exchanges bundles with another archive file in both directions until neither lacks
    /// anything, then checks both digests are equal. Each bundle goes through a temporary file
    /// and the usual import, so every check applies.
    public func sync(with other: Archive) throws -> SyncReport {
        guard other.id != id else {
            if realpath(other.path) == realpath(path) { throw QuireError(.refused, "\(other.path) is this same archive file") }
            throw QuireError(.refused, "\(other.path) has this archive's id (\(id)): it is a copy of this archive made by copying the file (cp), so the two cannot tell their events apart. Give one of them its own id, keeping its history: `quire -A \(other.path) reid --other \(path)`, then sync again")
        }
        let directory = (path as NSString).deletingLastPathComponent
        removeLeftoverSyncFiles(in: directory.isEmpty ? "." : directory)
        var sent = 0, received = 0, rounds = 0
        func send(from a: Archive, to b: Archive) throws -> Int {
            // Each bundle goes through a file without a name, which no kill can leave behind.
            let scratch = try SpillFile(in: directory.isEmpty ? "." : directory)
            let summary = try a.writeBundle(base: try b.state()) { try scratch.append($0) }
            if summary.header.events == 0 { return 0 }
            let report = try b.importBundle(at: scratch.path, name: "the bundle from \(a.path)", from: a.path)
            try a.noteSent(summary, to: b.id, file: b.path)
            return report.eventsAdded
        }
        // Import records can make one more exchange necessary; four rounds always settle.
        while rounds < 4 {
            rounds += 1
            let out = try send(from: self, to: other)
            let back = try send(from: other, to: self)
            sent += out
            received += back
            if out == 0 && back == 0 { break }
        }
        let mine = try digest(), theirs = try other.digest()
        guard mine == theirs else {
            throw QuireError(.corrupt, "after sync the digests differ (\(mine) here, \(theirs) in \(other.path))")
        }
        return SyncReport(rounds: rounds, sent: sent, received: received, digest: mine)
    }
}
