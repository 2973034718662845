import SQLite

/// What a copy holding `base` lacks of this archive, counted without writing a bundle: what
/// `quire status` reports. The selection is the bundle writer's (docs/bundle-format.md "What goes
/// into a bundle"), and a test holds the two equal.
public struct Pending: Sendable, Equatable {
    /// Content events: every kind but the custody records (`import`, `verify`).
    public var events = 0
    /// Custody records of imports and verifications (they travel, but change no content).
    public var custodyEvents = 0
    /// Blobs a bundle would carry, and the sum of their original sizes.
    public var blobs = 0
    public var blobBytes = 0

    public init() {}

    /// Nothing of content to send (custody records may remain).
    public var isEmpty: Bool { events == 0 && blobs == 0 }

    public var json: JSON {
        ["events": .int(Int64(events)), "custody_events": .int(Int64(custodyEvents)), "blobs": .int(Int64(blobs)), "blob_bytes": .int(Int64(blobBytes))]
    }

    init(json: JSON) {
        events = json["events"]?.intValue ?? 0
        custodyEvents = json["custody_events"]?.intValue ?? 0
        blobs = json["blobs"]?.intValue ?? 0
        blobBytes = json["blob_bytes"]?.intValue ?? 0
    }
}

/// The event kinds that record custody (who imported or verified what), not content: left out
/// of the content digest and of the content counts of `status`.
let custodyEventKinds: Set<String> = [EventKind.importRecord.name, EventKind.verify.name]

extension Archive {
    /// What a bundle for a receiver holding `base` would carry (events past it, blobs it cannot have).
    public func pending(for base: ArchiveState) throws -> Pending {
        try read {
            var baseSeq: [Int: Int] = [:]
            for (id, archiveID) in try events.origins() { baseSeq[id] = base.seq(archiveID) }
            var out = Pending()
            let selected = try events.events(past: baseSeq)
            var candidates = Set<Int>()
            for (id, kind) in selected {
                if custodyEventKinds.contains(kind.name) { out.custodyEvents += 1 } else { out.events += 1 }
                try db.forEach("SELECT DISTINCT blob FROM sightings WHERE event = ? AND blob IS NOT NULL", [id]) { candidates.insert($0.int(0)) }
                if kind == .merge { try db.forEach("SELECT blob FROM versions WHERE event = ?", [id]) { candidates.insert($0.int(0)) } }
            }
            for blob in candidates where try !holds(blob, baseSeq: baseSeq, empty: base.origins.isEmpty) {
                out.blobs += 1
                out.blobBytes += try db.int("SELECT size FROM blobs WHERE id = ?", blob) ?? 0
            }
            return out
        }
    }

    /// Whether a holder of the base has blob row `blob`: an event within the base refers to it.
    private func holds(_ blob: Int, baseSeq: [Int: Int], empty: Bool) throws -> Bool {
        if empty { return false }
        for sql in ["SELECT e.origin, e.seq FROM sightings s JOIN events e ON e.id = s.event WHERE s.blob = ?",
                    "SELECT e.origin, e.seq FROM versions v JOIN events e ON e.id = v.event WHERE v.blob = ?"] {
            let statement = try db.cached(sql).bind(blob)
            defer { statement.reset() }
            while try statement.step() {
                if statement.int(1) <= baseSeq[statement.int(0)] ?? 0 { return true }
            }
        }
        return false
    }

    /// Whether `state` holds an event of some origin that `other` lacks (by seq).
    static func hasMore(_ state: ArchiveState, than other: ArchiveState) -> Bool {
        state.origins.contains { other.seq($0.key) < $0.value.seq }
    }
}
