import Foundation

/// A remote as a command names it: a remote's name, or a URL; resolved to where it is and how to
/// reach it.
public struct RemoteTarget: Sendable {
    /// The remote's name, when it was named (its peer takes that name).
    public let name: String?
    public let url: String
    public let location: RemoteLocation
    /// The program to run on an ssh remote.
    public let remoteQuire: String?
    /// How long to wait for another process writing to an archive file remote (QUIRE_LOCK_TIMEOUT).
    public var lockTimeout = Archive.defaultLockTimeout

    public init(name: String?, url: String, location: RemoteLocation, remoteQuire: String?) {
        self.name = name
        self.url = url
        self.location = location
        self.remoteQuire = remoteQuire
    }

    /// `argument` as a remote of `archive` or a URL; nil: the default remote (the
    /// `default-remote` setting, else the first). `remoteQuire` (`--remote-quire`) overrides the remote's.
    public static func resolve(_ argument: String?, in archive: Archive, remoteQuire: String? = nil) throws -> RemoteTarget {
        let remote: Remote?
        if let argument {
            remote = try archive.remote(named: argument)
        } else {
            guard let chosen = try archive.defaultRemote() else {
                throw QuireError(.badArgument, "this archive has no remote: name an archive file, ssh://host/path, host:path or folder:PATH, or add one with `quire remote add NAME URL`")
            }
            remote = chosen
        }
        let url = remote?.url ?? argument!
        // A named remote's URL is read by its form: an archive file that is gone is then
        // reported as missing (with how to fix it), not as an unknown name.
        return RemoteTarget(name: remote?.name, url: url, location: try RemoteLocation(parsing: url, mustExist: remote == nil),
                            remoteQuire: remoteQuire ?? remote?.remoteQuire)
    }
}

/// What a pull, push or sync did.
public struct ExchangeReport: Sendable {
    public let remote: String
    /// The other copy's archive id (nil for a drop folder, which holds several).
    public var peer: String?
    public var rounds = 0
    /// Events and blobs this copy added, and those the other copy added.
    public var received = 0, receivedBlobs = 0
    public var sent = 0, sentBlobs = 0
    /// Bytes on the wire (ssh), or bundle bytes (archive file, drop folder), each way.
    public var bytesReceived = 0, bytesSent = 0
    /// Both copies' digests when a sync ended with them equal.
    public var digest: String?
    public var contentDigest: String?
    /// Drop folder: bundles imported, the bundle written (its name), bundles waiting for earlier
    /// ones, and files that could not be used (damaged, still arriving, or in conflict) with why.
    public var bundlesImported = 0
    public var published: String?
    public var waiting = 0
    public var unusable: [(file: String, reason: String)] = []
    /// Whether the remote is a drop folder (the report then has its part).
    public var isFolder = false

    init(remote: String) { self.remote = remote }

    public var json: JSON {
        var fields: [String: JSON] = [
            "remote": .string(remote), "peer": JSON(peer), "rounds": .int(Int64(rounds)),
            "received_events": .int(Int64(received)), "received_blobs": .int(Int64(receivedBlobs)),
            "sent_events": .int(Int64(sent)), "sent_blobs": .int(Int64(sentBlobs)),
            "bytes_received": .int(Int64(bytesReceived)), "bytes_sent": .int(Int64(bytesSent)),
        ]
        if let digest { fields["digest"] = .string(digest) }
        if let contentDigest { fields["content_digest"] = .string(contentDigest) }
        if isFolder {
            fields["folder"] = ["imported_bundles": .int(Int64(bundlesImported)), "published": JSON(published), "waiting": .int(Int64(waiting)),
                                "unusable": .array(unusable.map { ["file": .string($0.file), "reason": .string($0.reason)] })]
        }
        return .object(fields)
    }
}

/// What `status` found: what this copy would get from the remote and what it would give.
public struct RemoteStatus: Sendable {
    public let remote: String
    public var peer: String?
    public var toPull = Pending()
    public var toPush = Pending()
    /// Drop folder: bundles there whose earlier bundles have not arrived.
    public var waiting = 0

    /// Nothing of content either way (custody records may still travel).
    public var upToDate: Bool { toPull.isEmpty && toPush.isEmpty }

    public var json: JSON {
        ["remote": .string(remote), "peer": JSON(peer), "up_to_date": .bool(upToDate), "pull": toPull.json, "push": toPush.json,
         "waiting_bundles": .int(Int64(waiting))]
    }
}

extension Archive {
    /// Opens the other end for an exchange (not for a drop folder).
    private func connect(_ target: RemoteTarget, writing: Bool) throws -> RemotePeer {
        // Scratch files an older quire left beside this archive after a killed sync or import.
        removeLeftoverSyncFiles(in: directory)
        switch target.location {
        case .archiveFile(let path):
            return try RemotePeer(archiveFile: path, display: target.url, me: self, readOnly: !writing, lockTimeout: target.lockTimeout)
        case .ssh(let address):
            return try RemotePeer(ssh: address, display: target.url, remoteQuire: target.remoteQuire, me: self)
        case .folder, .bundleFile:
            preconditionFailure("drop folders and bundle files are not reached through a peer")
        }
    }

    /// This archive's folder, for scratch files.
    var directory: String {
        let d = (path as NSString).deletingLastPathComponent
        return d.isEmpty ? "." : d
    }

    /// Gets what the remote holds that this copy lacks, as one bundle imported with every check.
    public func pull(from target: RemoteTarget) throws -> ExchangeReport {
        try exchange(with: target, pull: true, push: false) { peer, report in
            try receive(from: peer, target: target, into: &report)
            report.rounds = 1
        }
    }

    /// Gives the remote what it lacks of this copy, as one bundle it imports with every check.
    public func push(to target: RemoteTarget) throws -> ExchangeReport {
        try exchange(with: target, pull: false, push: true) { peer, report in
            try send(to: peer, target: target, into: &report)
            report.rounds = 1
        }
    }

    /// Pushes and pulls until neither copy lacks anything (import records make a second round),
    /// then checks both digests are equal. A drop folder: imports what can be imported, then
    /// adds one bundle of what the folder lacks.
    public func sync(with target: RemoteTarget) throws -> ExchangeReport {
        try exchange(with: target, pull: true, push: true) { peer, report in
            while report.rounds < 4 {
                report.rounds += 1
                let before = (report.sent, report.received)
                try send(to: peer, target: target, into: &report)
                try receive(from: peer, target: target, into: &report)
                if (report.sent, report.received) == before { break }
            }
            let mine = (try digest(), try contentDigest())
            let theirs = try peer.digests()
            guard mine.0 == theirs.full else {
                throw QuireError(.corrupt, "after sync the digests differ (\(mine.0) here, \(theirs.full) at \(target.url))")
            }
            report.digest = mine.0
            report.contentDigest = mine.1
        }
    }

    /// One exchange with `target`. A drop folder does it its own way; otherwise: a connection
    /// (one that writes is refused by a read-only remote before anything happens), the report
    /// naming the peer (and the remote's name recorded for it), `body`, and the bytes on the wire.
    private func exchange(with target: RemoteTarget, pull: Bool, push: Bool,
                          _ body: (RemotePeer, inout ExchangeReport) throws -> Void) throws -> ExchangeReport {
        if case .folder(let root) = target.location { return try DropFolder(root: root, url: target.url).exchange(self, pull: pull, push: push) }
        let peer = try connect(target, writing: push)
        defer { peer.close() }
        if push { try peer.refuseIfReadOnly() }
        var report = ExchangeReport(remote: target.url)
        report.peer = peer.archiveID
        if let name = target.name { try namePeer(archive: peer.archiveID, name: name) }
        try body(peer, &report)
        if let wire = peer.wireBytes { report.bytesReceived = wire.received; report.bytesSent = wire.sent }
        return report
    }

    /// What this copy and the remote would exchange, from their states (nothing is changed).
    public func status(of target: RemoteTarget) throws -> RemoteStatus {
        if case .folder(let root) = target.location { return try DropFolder(root: root, url: target.url).status(self) }
        let peer = try connect(target, writing: false)
        defer { peer.close() }
        var status = RemoteStatus(remote: target.url)
        status.peer = peer.archiveID
        status.toPull = try peer.pending(for: try state())
        status.toPush = try pending(for: peer.state)
        return status
    }

    private func receive(from peer: RemotePeer, target: RemoteTarget, into report: inout ExchangeReport) throws {
        guard let bundle = try peer.fetch(base: try state(), into: directory, for: self) else { return }
        let imported = try importBundle(at: bundle.path, name: "the bundle from \(target.url)", peerName: target.name, from: target.url)
        report.received += imported.eventsAdded
        report.receivedBlobs += imported.blobsAdded
        if peer.wireBytes == nil { report.bytesReceived += imported.header.recordsBytes > 0 ? bundle.scratch.size : 0 }
    }

    private func send(to peer: RemotePeer, target: RemoteTarget, into report: inout ExchangeReport) throws {
        guard Archive.hasMore(try state(), than: peer.state) else { return }
        let base = peer.state
        let result = try peer.deliver(from: self) { output in try writeBundle(base: base, output: output) }
        try noteSent(result.summary, to: peer.archiveID, file: target.url)
        report.sent += result.eventsAdded
        report.sentBlobs += result.blobsAdded
        if peer.wireBytes == nil { report.bytesSent += result.summary.bytes }
    }
}
