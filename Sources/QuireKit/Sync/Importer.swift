import Deflate
import Foundation
import Hashing
import SQLite

/// What importing (or verifying) a bundle did.
public struct ImportReport: Sendable {
    public let header: BundleHeader
    /// Events this archive did not have and now has (0 when only verifying).
    public let eventsAdded: Int
    /// Events in the bundle this archive already held.
    public let eventsKnown: Int
    public let blobsAdded: Int
    public let blobsKnown: Int
    /// Whether the archive was changed (false for verify, or a bundle that added nothing).
    public let changed: Bool
    /// For each origin, the seqs the import added.
    public let added: [String: ClosedRange<Int>]

    public var json: JSON {
        ["bundle": .string(header.bundle), "source": .string(header.source), "events_added": .int(Int64(eventsAdded)),
         "events_known": .int(Int64(eventsKnown)), "blobs_added": .int(Int64(blobsAdded)), "blobs_known": .int(Int64(blobsKnown)),
         "changed": .bool(changed),
         "added": .object(added.mapValues { .array([.int(Int64($0.lowerBound)), .int(Int64($0.upperBound))]) })]
    }
}

extension Archive {
    /// Imports a bundle in one transaction: checks the file (magic, version, trailing hash),
    /// that this archive holds the events the bundle builds on, and every record (each blob's
    /// bytes against its hash, each event's place in its origin's hash chain, no event claiming
    /// this archive's origin that this archive never wrote); inserts what is new and ignores what
    /// is known; records the import (which travels with later bundles) and what the sender holds.
    /// Any failure leaves the archive exactly as it was.
    public func importBundle(at path: String, peerName: String? = nil) throws -> ImportReport {
        try importOrVerify(path: path, peerName: peerName, commit: true)
    }

    /// Checks everything `importBundle` checks, and changes nothing.
    public func verifyBundle(at path: String) throws -> ImportReport {
        try importOrVerify(path: path, peerName: nil, commit: false)
    }

    private struct DryRun: Error { let report: ImportReport }

    private func importOrVerify(path: String, peerName: String?, commit: Bool) throws -> ImportReport {
        let file = try BundleFile.open(path)
        do {
            return try write {
                var importer = try BundleImporter(archive: self, file: file)
                try importer.checkPrerequisites()
                try file.readRecords(&importer)
                try importer.finish()
                try indexMissingArticles()
                let report = importer.report(changed: commit && importer.eventsAdded + importer.blobsAdded > 0)
                guard commit else { throw DryRun(report: report) }
                try recordImport(report, file: file, peerName: peerName)
                return report
            }
        } catch let dry as DryRun {
            return dry.report
        }
    }

    /// Records a finished import: the `import` event (when the bundle brought anything but other
    /// copies' import records, so two copies syncing do not echo imports forever), what the
    /// sender holds, and the local exchange log.
    private func recordImport(_ report: ImportReport, file: BundleFile, peerName: String?) throws {
        let header = file.header
        let addedContent = try report.added.contains { origin, range in
            try db.int("""
                SELECT 1 FROM events e JOIN origins o ON o.id = e.origin
                WHERE o.archive = ? AND e.seq BETWEEN ? AND ? AND e.kind <> 'import' LIMIT 1
                """, origin, range.lowerBound, range.upperBound) != nil
        }
        if addedContent {
            var tip = try chainTip(origin: selfOrigin)
            try record(kind: EventKind.importRecord, payload: [
                "bundle": .string(header.bundle), "source": .string(header.source),
                "agent": .string(Identity.defaultAgent), "host": .string(Identity.host),
                "added": .object(report.added.mapValues { .array([.int(Int64($0.lowerBound)), .int(Int64($0.upperBound))]) }),
                "blobs": .int(Int64(report.blobsAdded)),
            ], tip: &tip)
        }
        if header.source != id {
            let peer = try notePeer(archive: header.source, name: peerName, holds: header.tip)
            try db.run("""
                INSERT INTO exchanges (peer, direction, bundle, at, agent, events, blobs, bytes, file)
                VALUES (?, 'received', ?, ?, ?, ?, ?, ?, ?)
                """, peer, header.bundle, Timestamp.now(), Identity.defaultAgent, report.eventsAdded, report.blobsAdded, file.size, file.path)
        }
    }
}

/// The state of one import while its records stream by.
private struct BundleImporter: BundleRecordHandler {
    let archive: Archive
    let file: BundleFile
    var db: Database { archive.db }
    /// For each origin seen, the last event held (this archive's, then the bundle's as they apply).
    var chains: [String: ChainTip] = [:]
    var originIDs: [String: Int] = [:]
    var added: [String: ClosedRange<Int>] = [:]
    var eventsAdded = 0, eventsKnown = 0, blobsAdded = 0, blobsKnown = 0, eventsSeen = 0, blobsSeen = 0

    /// The blob being received (nil while passing over one this archive holds).
    private var blob: BlobReception?
    /// Blobs that arrived as "R" records; each must be named by a redaction by the end.
    private var redactedStubs: [(hash: String, offset: Int)] = []
    /// The first 32 KiB of recently received blobs: bases usually arrive just before the blobs
    /// compressed against them, so their dictionaries need not be read back from the archive.
    private var prefixes = PrefixCache(capacity: 256)

    init(archive: Archive, file: BundleFile) throws {
        self.archive = archive
        self.file = file
        try db.forEach("SELECT id, archive FROM origins") { originIDs[$0.text(1)] = $0.int(0) }
        for (origin, id) in originIDs { chains[origin] = try archive.chainTip(origin: id) }
    }

    /// The bundle holds the events past its base; this archive must hold the base.
    func checkPrerequisites() throws {
        var missing: [String] = []
        for (origin, tip) in file.header.base.origins where file.header.tip.seq(origin) > tip.seq {
            let have = chains[origin]?.seq ?? 0
            if have < tip.seq { missing.append("\(origin) events \(have + 1)-\(tip.seq)") }
        }
        if !missing.isEmpty {
            throw QuireError(.invalidInput, "bundle \(file.header.bundle) builds on events this archive lacks: \(missing.joined(separator: "; ")). Import the bundles before it, or ask for one made with --all or --since a state file from this archive")
        }
    }

    func report(changed: Bool) -> ImportReport {
        ImportReport(header: file.header, eventsAdded: eventsAdded, eventsKnown: eventsKnown, blobsAdded: blobsAdded,
                     blobsKnown: blobsKnown, changed: changed, added: added)
    }

    func finish() throws {
        for stub in redactedStubs where try db.int("SELECT 1 FROM redactions WHERE blob = ? AND action = 'redact'", stub.hash) == nil {
            throw QuireError(.invalidInput, "bundle blob \(stub.hash) (body offset \(stub.offset)) comes without its bytes as redacted, but no redaction of it is in the bundle or this archive")
        }
        guard eventsSeen == file.header.events, blobsSeen == file.header.blobs else {
            throw QuireError(.invalidInput, "bundle \(file.header.bundle) holds \(eventsSeen) events and \(blobsSeen) blobs, but its header says \(file.header.events) and \(file.header.blobs)")
        }
    }

    // MARK: Events

    mutating func event(_ body: [UInt8], at offset: Int) throws {
        eventsSeen += 1
        func bad(_ why: String) -> QuireError { QuireError(.invalidInput, "bundle event record at body offset \(offset): \(why)") }
        var fields: [String] = []
        var start = 0
        for i in body.indices where fields.count < 5 && body[i] == 0x0A {
            fields.append(String(decoding: body[start..<i], as: UTF8.self))
            start = i + 1
        }
        guard fields.count == 5, let seq = Int(fields[1]), seq > 0,
              let payloadText = String(validating: body[start...], as: UTF8.self) else { throw bad("malformed") }
        let (origin, kind, at, hash) = (fields[0], fields[2], fields[3], fields[4])
        guard origin.utf8.count == 36, hash.utf8.count == 64 else { throw bad("malformed origin or hash") }

        let chain = chains[origin] ?? ChainTip(seq: 0, hash: Event.genesis)
        if seq <= chain.seq {
            // Known here already: it must be the very same event.
            let stored = try db.text("SELECT e.hash FROM events e JOIN origins o ON o.id = e.origin WHERE o.archive = ? AND e.seq = ?", origin, seq)
            guard stored == hash else {
                throw bad("event \(origin):\(seq) differs from the one this archive holds (a forked chain)")
            }
            eventsKnown += 1
            return
        }
        if origin == archive.id {
            throw bad("event \(origin):\(seq) claims this archive's own origin, but this archive never wrote it")
        }
        guard seq == chain.seq + 1 else {
            throw bad("event \(origin):\(seq) does not follow this archive's last event of that origin (\(chain.seq)): events \(chain.seq + 1)-\(seq - 1) are missing")
        }
        guard Event.chainHash(previous: chain.hash, origin: origin, seq: seq, kind: kind, at: at, payload: payloadText) == hash else {
            throw bad("event \(origin):\(seq) does not link to its chain: its hash does not match its contents and the previous event")
        }
        let payload: JSON
        do { payload = try JSON.parse(Array(payloadText.utf8)) } catch { throw bad("payload of \(origin):\(seq) is not JSON") }

        let originID: Int
        if let id = originIDs[origin] {
            originID = id
        } else {
            try db.run("INSERT INTO origins (archive) VALUES (?)", origin)
            originID = db.lastInsertRowID
            originIDs[origin] = originID
        }
        let stored = try EventPayload.stored(payloadText)
        try db.run("INSERT INTO events (origin, seq, kind, at, payload, payload_size, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   originID, seq, kind, at, stored.payload, stored.size, hash)
        do {
            try archive.apply(eventID: db.lastInsertRowID, origin: originID, kind: kind, at: at, payload: payload)
        } catch let error as QuireError {
            throw QuireError(.invalidInput, "bundle event \(origin):\(seq) cannot be applied: \(error.message)")
        }
        chains[origin] = ChainTip(seq: seq, hash: hash)
        added[origin] = (added[origin]?.lowerBound ?? seq)...seq
        eventsAdded += 1
    }

    // MARK: Blobs

    mutating func blobBegin(hash: String, size: Int, zlib: Bool, base: String?, at offset: Int) throws {
        blobsSeen += 1
        blob = try archive.blobs.receive(hash: hash, size: size, compressed: zlib, base: base, at: offset, prefixes: &prefixes)
        if blob == nil { blobsKnown += 1 }
    }

    mutating func redactedBlob(hash: String, size: Int, at offset: Int) throws {
        blobsSeen += 1
        if try archive.blobs.contains(hash: hash) {
            blobsKnown += 1
            return
        }
        try archive.blobs.putRedacted(hash: hash, size: size)
        redactedStubs.append((hash, offset))
        blobsAdded += 1
    }

    mutating func blobData(_ piece: UnsafeRawBufferPointer) throws {
        try blob?.take(piece)
    }

    mutating func blobEnd() throws {
        guard var incoming = blob else { return }
        blob = nil
        try incoming.finish()
        prefixes.put(incoming.hash, incoming.prefix)
        blobsAdded += 1
    }
}
