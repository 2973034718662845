import SQLite

/// A copy this archive has exchanged bundles with.
public struct PeerInfo: Sendable {
    public let archive: String
    public let name: String?
    /// What the peer is known to hold (from bundles sent to it and received from it).
    public let known: ArchiveState
    public let exchanges: [Exchange]

    /// One bundle sent or received.
    public struct Exchange: Sendable {
        public let direction: String
        public let bundle: String
        public let at: String
        public let agent: String
        public let events: Int
        public let blobs: Int
        public let bytes: Int?
        public let file: String?

        public var json: JSON {
            ["direction": .string(direction), "bundle": .string(bundle), "at": .string(at), "agent": .string(agent),
             "events": .int(Int64(events)), "blobs": .int(Int64(blobs)), "bytes": JSON(bytes), "file": JSON(file)]
        }
    }

    public var json: JSON {
        ["archive": .string(archive), "name": JSON(name), "known": known.json["origins"]!, "exchanges": .array(exchanges.map(\.json))]
    }
}

extension Archive {
    /// Notes that `archive` holds at least `holds` (and names it, when a name is given). Returns the peer's row.
    @discardableResult
    func notePeer(archive peer: String, name: String?, holds: ArchiveState) throws -> Int {
        if let name, let other = try db.text("SELECT archive FROM peers WHERE name = ?", name), other != peer {
            throw QuireError(.refused, "the peer name '\(name)' already belongs to archive \(other)")
        }
        let known = try db.text("SELECT known FROM peers WHERE archive = ?", peer).flatMap { try? ArchiveState(json: JSON.parse($0)) } ?? ArchiveState()
        let merged = ArchiveState(origins: known.merged(with: holds).origins)
        try db.run("""
            INSERT INTO peers (archive, name, known) VALUES (?1, ?2, ?3)
            ON CONFLICT (archive) DO UPDATE SET known = ?3, name = coalesce(?2, name)
            """, peer, name, merged.json.canonical)
        return try db.int("SELECT id FROM peers WHERE archive = ?", peer)!
    }

    /// The peer named `nameOrID` (its local name or archive id, or a unique prefix of the id).
    public func peer(_ nameOrID: String) throws -> PeerInfo {
        try read {
            let matches = try db.rows("SELECT archive FROM peers WHERE name = ?1 OR archive = ?1 OR archive LIKE ?1 || '%'", [nameOrID]) { $0.text(0) }
            guard let archiveID = matches.first else {
                throw QuireError(.notFound, "no peer '\(nameOrID)': this archive has not exchanged a bundle with it (quire peers lists them)")
            }
            if matches.count > 1 { throw QuireError(.ambiguous, "'\(nameOrID)' matches several peers: \(matches.joined(separator: ", "))") }
            return try peers().first { $0.archive == archiveID }!
        }
    }

    /// Every known peer with what was exchanged with it.
    public func peers() throws -> [PeerInfo] {
        try read {
            try db.rows("SELECT id, archive, name, known FROM peers ORDER BY coalesce(name, archive)") { s in
                (s.int(0), s.text(1), s.optionalText(2), s.text(3))
            }.map { id, archiveID, name, known in
                let exchanges = try db.rows("""
                    SELECT direction, bundle, at, agent, events, blobs, bytes, file FROM exchanges WHERE peer = ? ORDER BY id
                    """, [id]) {
                    PeerInfo.Exchange(direction: $0.text(0), bundle: $0.text(1), at: $0.text(2), agent: $0.text(3), events: $0.int(4),
                                      blobs: $0.int(5), bytes: $0.optionalInt(6), file: $0.optionalText(7))
                }
                return PeerInfo(archive: archiveID, name: name, known: (try? ArchiveState(json: JSON.parse(known))) ?? ArchiveState(),
                                exchanges: exchanges)
            }
        }
    }

    /// Gives the peer with archive id `peer` the name `name`, taking it from any other peer that
    /// had it (a remote's name follows the copy the remote now reaches). Adds the peer if new.
    public func namePeer(archive peer: String, name: String) throws {
        try writing {
            try db.run("UPDATE peers SET name = NULL WHERE name = ? AND archive <> ?", name, peer)
            try db.run("INSERT INTO peers (archive, name) VALUES (?1, ?2) ON CONFLICT (archive) DO UPDATE SET name = ?2", peer, name)
        }
    }

    /// Renames the peer called `old` (a name, an archive id or a unique prefix of one) to `new`.
    /// With `ifNamed`, `old` must be a name and a missing one is no error (a remote renamed
    /// before any exchange).
    public func renamePeer(from old: String, to new: String, ifNamed: Bool = false) throws {
        try writing {
            if ifNamed {
                try db.run("UPDATE peers SET name = ?2 WHERE name = ?1", old, new)
                return
            }
            let archiveID = try peer(old).archive
            if let other = try db.text("SELECT archive FROM peers WHERE name = ?", new), other != archiveID {
                throw QuireError(.refused, "the peer name '\(new)' already belongs to archive \(other)")
            }
            try db.run("UPDATE peers SET name = ? WHERE archive = ?", new, archiveID)
        }
    }

    /// Notes a bundle written for `peer` (when known): it will hold what the bundle's tip says.
    /// An empty bundle (nothing past the receiver's state) is not an exchange and is not noted.
    public func noteSent(_ summary: BundleSummary, to peer: String?, file: String) throws {
        if summary.header.events == 0 && summary.header.blobs == 0 { return }
        try writing {
            let peerRow = try peer.map { try notePeer(archive: $0, name: nil, holds: summary.header.tip) }
            try noteExchange(peer: peerRow, direction: "sent", bundle: summary.header.bundle, events: summary.header.events,
                             blobs: summary.header.blobs, bytes: summary.bytes, file: file)
        }
    }

    /// Adds a bundle sent or received to the local exchange log. Inside a write transaction.
    func noteExchange(peer: Int?, direction: String, bundle: String, events: Int, blobs: Int, bytes: Int?, file: String?) throws {
        try db.run("""
            INSERT INTO exchanges (peer, direction, bundle, at, agent, events, blobs, bytes, file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, peer, direction, bundle, Timestamp.now(), Identity.defaultAgent, events, blobs, bytes, file)
    }
}
