import Deflate
import Hashing
import Foundation
import SQLite

/// Redaction: removing a blob's bytes for a takedown or a legal demand, while its hash, its
/// sightings, its provenance and the reason stay.
///
/// A redaction is an event, so it travels to every copy, but no copy can destroy another's data:
/// the copy that redacts deletes the bytes; every other copy hides them at once and keeps them in
/// quarantine until its own operator purges them (`purge`) or serves them again (`reinstate`).
/// Both decisions are events too. See docs/provenance.md.

/// One redaction decision: a redaction, a reinstatement or a purge.
public struct RedactionRecord: Sendable, Equatable {
    /// `redact`, `reinstate` or `purge`.
    public let action: String
    public let blob: String
    /// The archive id of the copy whose operator decided.
    public let archive: String
    public let at: String
    public let agent: String
    public let host: String
    public let reason: String?

    public var json: JSON {
        ["action": .string(action), "blob": .string(blob), "archive": .string(archive), "at": .string(at),
         "agent": .string(agent), "host": .string(host), "reason": JSON(reason)]
    }
}

/// Whether this copy serves a blob's bytes.
public enum BlobCustody: String, Sendable {
    /// The bytes are here and served.
    case held
    /// The bytes are here but hidden: another copy redacted them.
    case quarantined
    /// The bytes were deleted from this copy.
    case redacted
}

extension Archive {
    // MARK: Decisions

    /// Deletes a blob's bytes from this archive and records why. Blobs compressed against it are
    /// re-encoded first, deleted pages are zeroed (`secure_delete`) and the write-ahead log is
    /// truncated, so the bytes do not linger in the file. Returns the redaction record.
    @discardableResult
    public func redact(hash: String, reason: String, agent: String = Identity.defaultAgent) throws -> RedactionRecord {
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw QuireError(.badArgument, "a redaction needs a reason (--reason TEXT)") }
        try write {
            guard let blob = try blobs.record(hash: hash) else { throw QuireError(.notFound, "the archive holds no blob \(hash)") }
            if blob.form == .redacted {
                throw QuireError(.refused, "blob \(hash) is already redacted in this archive")
            }
            try events.append(.redact, payload: [
                "blob": .string(hash), "size": .int(Int64(blob.size)), "reason": .string(trimmed),
                "agent": .string(agent), "host": .string(Identity.host),
            ])
        }
        try scrubWriteAheadLog()
        return try redactionLog(blob: hash).last { $0.action == "redact" }!
    }

    /// Serves a quarantined blob again in this copy (the operator overrules a redaction that
    /// arrived from another copy), and records the decision.
    public func reinstate(hash: String, reason: String? = nil, agent: String = Identity.defaultAgent) throws {
        try write {
            guard let blob = try blobs.record(hash: hash) else { throw QuireError(.notFound, "the archive holds no blob \(hash)") }
            guard try db.int("SELECT 1 FROM quarantine WHERE blob = ?", blob.id) != nil else {
                if blob.form == .redacted {
                    throw QuireError(.refused, "blob \(hash) cannot be reinstated: its bytes were deleted from this archive")
                }
                throw QuireError(.refused, "blob \(hash) is not in quarantine")
            }
            var payload: [String: JSON] = ["blob": .string(hash), "agent": .string(agent), "host": .string(Identity.host)]
            if let reason, !reason.isEmpty { payload["reason"] = .string(reason) }
            try events.append(.reinstate, payload: .object(payload))
        }
    }

    /// Deletes the bytes of quarantined blobs (all of them when `hashes` is nil), recording a
    /// `purge` event for each. Returns the hashes purged.
    @discardableResult
    public func purge(hashes: [String]? = nil, agent: String = Identity.defaultAgent) throws -> [String] {
        let purged: [String] = try write {
            let quarantined = try db.rows("SELECT b.hash FROM quarantine q JOIN blobs b ON b.id = q.blob ORDER BY b.hash") { $0.text(0) }
            let chosen: [String]
            if let hashes {
                for hash in hashes where !quarantined.contains(hash) {
                    throw QuireError(.refused, "blob \(hash) is not in quarantine; nothing was purged")
                }
                chosen = hashes
            } else {
                chosen = quarantined
            }
            for hash in chosen {
                try events.append(.purge, payload: ["blob": .string(hash), "agent": .string(agent), "host": .string(Identity.host)])
            }
            return chosen
        }
        if !purged.isEmpty { try scrubWriteAheadLog() }
        return purged
    }

    /// Copies every page out of the write-ahead log into the file and truncates the log, so the
    /// pages a deletion replaced do not survive there.
    func scrubWriteAheadLog() throws {
        do {
            try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        } catch let error as DatabaseError {
            throw QuireError(.database, "checkpointing \(path) after deleting bytes failed", underlying: error)
        }
    }

    /// Whether this copy may take a redacted blob's bytes again when they arrive (a sync, or its
    /// own ingest): yes when only other copies redacted it (their redaction can only quarantine
    /// here), no when this copy's own operator deleted the bytes (redacted or purged them).
    func mayTakeBytesAgain(_ blob: BlobRecord) throws -> Bool {
        try db.int("SELECT 1 FROM redactions WHERE blob = ? AND archive = ? AND action IN ('redact', 'purge') LIMIT 1", blob.hash, id) == nil
    }

    /// Puts a blob whose bytes just arrived for a redacted row into quarantine, under the latest
    /// redaction of it: they are kept, hidden, until this copy's operator reinstates or purges them.
    func quarantineRefilled(_ blob: BlobRecord) throws {
        try db.run("""
            INSERT OR IGNORE INTO quarantine (blob, event)
            SELECT ?, max(event) FROM redactions WHERE blob = ? AND action = 'redact' HAVING max(event) IS NOT NULL
            """, blob.id, blob.hash)
    }

    // MARK: Questions

    /// Whether this copy serves a blob's bytes.
    public func custody(blob hash: String) throws -> BlobCustody {
        try read {
            guard let blob = try blobs.record(hash: hash) else { throw QuireError(.notFound, "the archive holds no blob \(hash)") }
            return try custody(blob)
        }
    }

    func custody(_ blob: BlobRecord) throws -> BlobCustody {
        if blob.form == .redacted { return .redacted }
        return try db.int("SELECT 1 FROM quarantine WHERE blob = ?", blob.id) != nil ? .quarantined : .held
    }

    /// Every redaction decision about a blob (every blob when nil), in the order they arrived here.
    public func redactionLog(blob hash: String? = nil) throws -> [RedactionRecord] {
        try read {
            let sql = "SELECT action, blob, archive, at, agent, host, reason FROM redactions"
            let convert: (Statement) -> RedactionRecord = {
                RedactionRecord(action: $0.text(0), blob: $0.text(1), archive: $0.text(2), at: $0.text(3), agent: $0.text(4),
                                host: $0.text(5), reason: $0.optionalText(6))
            }
            if let hash { return try db.rows(sql + " WHERE blob = ? ORDER BY event", [hash], convert) }
            return try db.rows(sql + " ORDER BY event", [], convert)
        }
    }

    /// The blobs held in quarantine here, by hash.
    public func quarantinedBlobs() throws -> [String] {
        try read { try db.rows("SELECT b.hash FROM quarantine q JOIN blobs b ON b.id = q.blob ORDER BY b.hash") { $0.text(0) } }
    }

    /// Throws the error `cat`, export and bundles give for a blob this copy does not serve: who
    /// redacted it, when and why.
    func checkServed(_ blob: BlobRecord) throws {
        let state = try custody(blob)
        guard state != .held else { return }
        let last = try db.firstRow("""
            SELECT archive, at, agent, reason FROM redactions WHERE blob = ? AND action = 'redact' ORDER BY event DESC LIMIT 1
            """, [blob.hash]) { (archive: $0.text(0), at: $0.text(1), agent: $0.text(2), reason: $0.optionalText(3)) }
        let who = last.map { "redacted by \($0.agent) at \($0.at)\($0.archive == id ? "" : " in copy \($0.archive)"): \($0.reason ?? "no reason given")" }
            ?? "its bytes are not in this archive, and no redaction is recorded"
        switch state {
        case .redacted:
            throw QuireError(.redacted, "the content of blob \(blob.hash) was \(who)")
        case .quarantined:
            throw QuireError(.redacted, "the content of blob \(blob.hash) is hidden: \(who). This copy keeps the bytes in quarantine until its operator runs `quire purge` or `quire reinstate`")
        case .held:
            return
        }
    }

    // MARK: Applying the events

    /// Applies a `redact`, `reinstate` or `purge` event to the derived tables, and to the bytes
    /// where the decision is this copy's own.
    func applyRedaction(_ event: EventLog.Applied) throws {
        let (eventID, origin, kind, at, payload) = (event.id, event.origin, event.kind, event.at, event.payload)
        guard let hash = payload["blob"]?.stringValue, SHA256Digest(hex: hash) != nil, hash == hash.lowercased() else {
            throw QuireError(.corrupt, "\(kind.name) event lacks its 'blob' hash (64 lowercase hex digits)")
        }
        let archiveID = try events.archiveID(origin: origin)
        try db.run("INSERT INTO redactions (event, action, blob, archive, at, agent, host, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   eventID, kind.name, hash, archiveID, at, payload["agent"]?.stringValue ?? "", payload["host"]?.stringValue ?? "",
                   payload["reason"]?.stringValue)
        let ours = origin == selfOrigin
        guard let blob = try blobs.record(hash: hash) else {
            // A redaction of bytes this copy never held: keep a row without bytes, so they never arrive.
            if kind == .redact, let size = payload["size"]?.intValue {
                guard size >= 0, size <= largestIncomingBlob else {
                    throw QuireError(.corrupt, "redact event gives blob \(hash) the size \(size), outside 0 to \(largestIncomingBlob) bytes")
                }
                try blobs.putRedacted(hash: hash, size: size)
            }
            return
        }
        switch kind {
        case .redact where ours, .purge where ours:
            try db.run("DELETE FROM quarantine WHERE blob = ?", blob.id)
            try deleteStoredBytes(blob)
        case .redact:
            if blob.form != .redacted {
                try db.run("INSERT OR IGNORE INTO quarantine (blob, event) VALUES (?, ?)", blob.id, eventID)
            }
        case .reinstate where ours:
            try db.run("DELETE FROM quarantine WHERE blob = ?", blob.id)
        default:
            break   // another copy's reinstatement or purge: part of the record, no effect here
        }
    }

    /// Deletes a blob's stored bytes (the blob store re-encodes the blobs built on them first),
    /// and what was read out of them. Pages freed are zeroed.
    func deleteStoredBytes(_ blob: BlobRecord) throws {
        guard blob.form.holdsBytes else { return }
        try db.execute("PRAGMA secure_delete = ON")
        try removeFromSearchIndex(blob)
        try blobs.remove(blob)
        try forgetArticle(blob: blob.id)
    }
}
