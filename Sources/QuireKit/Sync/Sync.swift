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

extension Archive {
    /// Exchanges bundles with another archive file in both directions until neither lacks
    /// anything, then checks both digests are equal. Each bundle goes through a temporary file
    /// and the usual import, so every check applies.
    public func sync(with other: Archive) throws -> SyncReport {
        guard other.id != id else { throw QuireError(.refused, "\(other.path) is this same archive (id \(id))") }
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.quire-sync-" + Identity.newUUID() + ".bundle"
        defer { unlink(temporary) }
        var sent = 0, received = 0, rounds = 0
        func send(from a: Archive, to b: Archive) throws -> Int {
            let summary = try a.writeBundle(base: try b.state(), to: temporary)
            if summary.header.events == 0 { return 0 }
            let report = try b.importBundle(at: temporary)
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
