import SQLite

/// What an archive holds, in the terms sync needs: for each origin (archive copy) the highest seq
/// it has and that event's hash. Events are prefix-closed per origin (an archive holding seq n
/// of an origin holds 1 to n), so this small value says exactly which events a copy lacks.
public struct ArchiveState: Sendable, Equatable {
    /// An origin's last event.
    public struct Tip: Sendable, Equatable {
        public let seq: Int
        public let hash: String
        public init(seq: Int, hash: String) {
            self.seq = seq
            self.hash = hash
        }
    }

    /// The archive this is the state of, when known.
    public var archive: String?
    /// For each origin's archive id, its last event held.
    public var origins: [String: Tip]

    public init(archive: String? = nil, origins: [String: Tip] = [:]) {
        self.archive = archive
        self.origins = origins
    }

    /// The highest seq held for `origin` (0 for none).
    public func seq(_ origin: String) -> Int { origins[origin]?.seq ?? 0 }

    /// The state holding everything either holds (per origin, the higher tip).
    public func merged(with other: ArchiveState) -> ArchiveState {
        var out = self
        for (origin, tip) in other.origins where tip.seq > out.seq(origin) { out.origins[origin] = tip }
        return out
    }

    /// Whether this state holds everything `other` does.
    public func covers(_ other: ArchiveState) -> Bool {
        other.origins.allSatisfy { seq($0.key) >= $0.value.seq }
    }

    /// `{"archive": id, "format": "quire-state-1", "origins": {"<id>": {"hash": h, "seq": n}}}`.
    public var json: JSON {
        var fields: [String: JSON] = [
            "format": "quire-state-1",
            "origins": .object(origins.mapValues { ["seq": .int(Int64($0.seq)), "hash": .string($0.hash)] }),
        ]
        if let archive { fields["archive"] = .string(archive) }
        return .object(fields)
    }

    /// Reads a state from its JSON form; any other shape is an error naming what is wrong.
    public init(json: JSON) throws {
        guard case .object = json, let origins = json["origins"]?.objectValue else {
            throw QuireError(.badFile, "not a Quire state: it has no 'origins' object")
        }
        if let format = json["format"]?.stringValue, format != "quire-state-1" {
            throw QuireError(.badFile, "unknown state format '\(format)'")
        }
        var tips: [String: Tip] = [:]
        for (origin, value) in origins {
            guard let seq = value["seq"]?.intValue, seq >= 0, let hash = value["hash"]?.stringValue,
                  hash.utf8.count == 64 else {
                throw QuireError(.badFile, "state entry for origin \(origin) needs a whole 'seq' and a 64-digit 'hash'")
            }
            if seq > 0 { tips[origin] = Tip(seq: seq, hash: hash) }
        }
        self.init(archive: json["archive"]?.stringValue, origins: tips)
    }
}

extension Archive {
    /// This archive's state: for each origin, its last event.
    public func state() throws -> ArchiveState {
        try read {
            var origins: [String: ArchiveState.Tip] = [:]
            try db.forEach("""
                SELECT o.archive, e.seq, e.hash FROM origins o
                JOIN events e ON e.id = (SELECT id FROM events WHERE origin = o.id ORDER BY seq DESC LIMIT 1)
                """) { origins[$0.text(0)] = ArchiveState.Tip(seq: $0.int(1), hash: $0.text(2)) }
            return ArchiveState(archive: id, origins: origins)
        }
    }
}
