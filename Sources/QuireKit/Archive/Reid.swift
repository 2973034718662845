/// What `reid` did.
public struct ReidReport: Sendable {
    /// The id this copy had (and shares with the copy it was made from).
    public let oldID: String
    /// Its own id from now on.
    public let newID: String
    /// The last event of the old id both copies hold; this copy's events after it moved.
    public let keptThrough: Int
    /// How many of this copy's events moved to the new id.
    public let moved: Int

    public var json: JSON {
        ["old_id": .string(oldID), "new_id": .string(newID), "kept_through": .int(Int64(keptThrough)), "moved": .int(Int64(moved))]
    }
}

extension Archive {
    /// Gives this copy a new archive id of its own, keeping its history: the way out when an
    /// archive was copied with `cp` (both copies then share one id and cannot tell their events
    /// apart). The events of the old id up to `keepThrough` (those both copies hold) stay under
    /// it, as the other copy's; this copy's events after that move to the new id, chained again,
    /// and the derived tables are replayed. With `keepThrough` nil, nothing moves: only events
    /// written from now on use the new id. In one transaction.
    @discardableResult
    public func reid(keepThrough: Int? = nil) throws -> ReidReport {
        let oldID = id, oldOrigin = selfOrigin
        let newID = Identity.newUUID()
        do {
            return try write {
                let tip = try events.tip(origin: oldOrigin).seq
                let keep = min(keepThrough ?? tip, tip)
                guard keep >= 0 else { throw QuireError(.badArgument, "the number of events to keep cannot be negative") }
                let newOrigin = try events.originRow(newID)
                try db.run("UPDATE archive SET value = ? WHERE key = 'archive_id'", newID)
                id = newID
                selfOrigin = newOrigin
                let moved = try events.remint(from: oldOrigin, after: keep, to: newOrigin, toID: newID)
                if moved > 0 { try replayIntoEmptyDerivedTables() }
                return ReidReport(oldID: oldID, newID: newID, keptThrough: keep, moved: moved)
            }
        } catch {
            id = oldID
            selfOrigin = oldOrigin
            throw error
        }
    }

    /// The last event of this archive's id that `other` (a copy sharing the id) holds the same:
    /// where the two copies' histories part.
    public func lastSharedEvent(with other: Archive) throws -> Int {
        guard other.id == id else {
            throw QuireError(.refused, "\(other.path) has another id (\(other.id)); only a copy sharing this archive's id needs reid")
        }
        // Chained hashes: where they agree at one seq, they agree at every seq before it.
        func same(_ seq: Int) throws -> Bool {
            guard let mine = try read({ try events.hash(origin: id, seq: seq) }) else { return false }
            return try other.read({ try other.events.hash(origin: id, seq: seq) }) == mine
        }
        var low = 0, high = try read { try events.tip(origin: selfOrigin).seq }
        while low < high {
            let mid = (low + high + 1) / 2
            if try same(mid) { low = mid } else { high = mid - 1 }
        }
        return low
    }
}
