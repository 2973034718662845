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
    /// bytes against its hash and its declared size, each event's place in its origin's hash
    /// chain, no event claiming this archive's origin that this archive never wrote, every event
    /// against the rules of its kind); inserts what is new and ignores what is known; checks that
    /// what it added keeps every invariant `verify` checks; records the import (which travels
    /// with later bundles) and what the sender is now known to hold. An import adds, never takes
    /// away: any failure leaves the archive exactly as it was.
    /// `name` is what messages call the bundle (default: its path); `from` names where it came
    /// from in the exchange log (default: the name). Progress goes to `importProgress`.
    public func importBundle(at path: String, name: String? = nil, peerName: String? = nil, from: String? = nil) throws -> ImportReport {
        let file = try BundleFile.open(path, name: name)
        return try write {
            let marks = try ImportMarks(db: db)
            var importer = try BundleImporter(archive: self, file: file, checkOnly: false)
            try importer.checkPrerequisites()
            try file.readRecords(&importer, progress: importProgress)
            try importer.finish()
            try checkImported(since: marks, bundle: file.header.bundle)
            try indexMissingArticles()
            let report = importer.report(changed: importer.eventsAdded + importer.blobsAdded > 0)
            try recordImport(report, file: file, peerName: peerName, from: from ?? file.name)
            return report
        }
    }

    /// Checks what `importBundle` checks of the file, its records, their hashes and sizes, the
    /// event chains and what the bundle builds on, and changes nothing. It reads in one read
    /// transaction, so it never holds the write lock and ingests go on meanwhile; the rules of
    /// each event's kind are checked only by a real import (which rolls back on any of them).
    public func verifyBundle(at path: String, name: String? = nil) throws -> ImportReport {
        let file = try BundleFile.open(path, name: name)
        let directory = (self.path as NSString).deletingLastPathComponent
        let spill = try SpillFile(in: directory.isEmpty ? "." : directory)
        return try read {
            var importer = try BundleImporter(archive: self, file: file, checkOnly: true, spill: spill)
            try importer.checkPrerequisites()
            try file.readRecords(&importer, progress: importProgress)
            try importer.finish()
            return importer.report(changed: false)
        }
    }

    /// Records a finished import: the `import` event (when the bundle brought anything but other
    /// copies' import records, so two copies syncing do not echo imports forever), what the
    /// sender holds (only what this archive can check: the events the bundle carried, and the
    /// claimed tips that match events held here), and the local exchange log.
    private func recordImport(_ report: ImportReport, file: BundleFile, peerName: String?, from: String) throws {
        let header = file.header
        let addedContent = try report.added.contains { origin, range in
            try events.holdsOther(than: .importRecord, origin: origin, seqs: range)
        }
        if addedContent {
            try events.append(.importRecord, payload: [
                "bundle": .string(header.bundle), "source": .string(header.source),
                "agent": .string(Identity.defaultAgent), "host": .string(Identity.host),
                "added": .object(report.added.mapValues { .array([.int(Int64($0.lowerBound)), .int(Int64($0.upperBound))]) }),
                "blobs": .int(Int64(report.blobsAdded)),
            ])
        }
        if header.source != id {
            var holds = ArchiveState()
            for (origin, tip) in header.tip.origins where try events.hash(origin: origin, seq: tip.seq) == tip.hash {
                holds.origins[origin] = tip
            }
            for (origin, range) in report.added where holds.seq(origin) < range.upperBound {
                if let hash = try events.hash(origin: origin, seq: range.upperBound) {
                    holds.origins[origin] = ArchiveState.Tip(seq: range.upperBound, hash: hash)
                }
            }
            let peer = try notePeer(archive: header.source, name: peerName, holds: holds)
            try noteExchange(peer: peer, direction: "received", bundle: header.bundle, events: report.eventsAdded,
                             blobs: report.blobsAdded, bytes: file.size, file: from)
        }
    }

    /// Checks the rows an import added against the invariants `verify` checks, so that after any
    /// import that succeeds `verify` is clean: each new version's hash is that of its key, blob
    /// and parents; each new sighting's version is of its document and blob; each document it
    /// touched has a head among its versions; each new blob is named by an event.
    private func checkImported(since marks: ImportMarks, bundle: String) throws {
        func refuse(_ what: String) -> QuireError {
            QuireError(.badBundle, "bundle \(bundle) cannot be imported: \(what); nothing was imported")
        }
        try db.forEach("""
            SELECT v.hash, d.key, b.hash,
                   (SELECT group_concat(p.hash, ' ') FROM version_parents vp JOIN versions p ON p.id = vp.parent WHERE vp.version = v.id)
            FROM versions v JOIN documents d ON d.id = v.document JOIN blobs b ON b.id = v.blob WHERE v.id > ?
            """, [marks.version]) { s in
            let parents = s.optionalText(3)?.split(separator: " ").map(String.init) ?? []
            if versionHash(key: s.text(1), blob: s.text(2), parents: parents) != s.text(0) {
                throw refuse("version \(s.text(0)) does not match its document '\(s.text(1))', blob and parents")
            }
        }
        if let row = try db.int("""
            SELECT s.id FROM sightings s JOIN versions v ON v.id = s.version
            WHERE s.id > ? AND (v.blob <> s.blob OR v.document <> s.document) LIMIT 1
            """, marks.sighting) {
            throw refuse("sighting \(row) names a version of another document or blob")
        }
        if let key = try db.text("""
            SELECT d.key FROM documents d LEFT JOIN versions h ON h.id = d.head
            WHERE d.id IN (SELECT document FROM versions WHERE id > ?1 UNION SELECT document FROM sightings WHERE id > ?2 AND document IS NOT NULL)
              AND (h.id IS NULL OR h.document <> d.id) AND EXISTS (SELECT 1 FROM versions x WHERE x.document = d.id)
            LIMIT 1
            """, marks.version, marks.sighting) {
            throw refuse("document '\(key)' would be left without a head")
        }
        if let hash = try db.text("""
            SELECT b.hash FROM blobs b WHERE b.id > ?
              AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.blob = b.id)
              AND NOT EXISTS (SELECT 1 FROM versions v WHERE v.blob = b.id)
              AND NOT EXISTS (SELECT 1 FROM redactions r WHERE r.blob = b.hash)
            LIMIT 1
            """, marks.blob) {
            throw refuse("blob \(hash) is named by no event (it would count in the digest but never be passed on)")
        }
    }
}

/// The highest row ids before an import, so its checks look only at what it added.
private struct ImportMarks {
    let blob: Int, version: Int, sighting: Int
    init(db: Database) throws {
        blob = try db.int("SELECT coalesce(max(id), 0) FROM blobs") ?? 0
        version = try db.int("SELECT coalesce(max(id), 0) FROM versions") ?? 0
        sighting = try db.int("SELECT coalesce(max(id), 0) FROM sightings") ?? 0
    }
}

/// The state of one import (or check) while its records stream by.
private struct BundleImporter: BundleRecordHandler {
    let archive: Archive
    let file: BundleFile
    /// Check and count only; store nothing.
    let checkOnly: Bool
    var db: Database { archive.db }
    /// The events entering the log.
    var intake: EventIntake
    var blobsAdded = 0, blobsKnown = 0, eventsSeen = 0, blobsSeen = 0
    var eventsAdded: Int { intake.eventsAdded }
    var eventsKnown: Int { intake.eventsKnown }
    var added: [String: ClosedRange<Int>] { intake.added }

    /// The blob being received (nil while passing over one this archive holds).
    private var blob: BlobReception?
    /// Blobs that arrived as "R" records; each must be named by a redaction by the end.
    private var redactedStubs: [(hash: String, offset: Int)] = []
    /// The first 32 KiB of recently received blobs: bases usually arrive just before the blobs
    /// compressed against them, so their dictionaries need not be read back from the archive.
    private var prefixes: PrefixCache
    /// When only checking (nothing is stored): the bundle's blobs' whole bytes, for the deltas
    /// that come after them against them.
    private let received: ReceivedBlobs?
    /// The bytes of blobs received recently: bases usually come just before the blobs built on them.
    private let cache = BlobBytesCache(budget: 32 << 20)
    /// New blobs whose metadata is read, a batch at a time on all cores, while the import goes on.
    private var articles: ArticleBatch

    init(archive: Archive, file: BundleFile, checkOnly: Bool, spill: SpillFile? = nil) throws {
        self.archive = archive
        self.file = file
        self.checkOnly = checkOnly
        intake = try EventIntake(log: archive.events, checkOnly: checkOnly)
        prefixes = PrefixCache(capacity: 256, spill: spill)
        received = checkOnly ? spill.map(ReceivedBlobs.init) : nil
        articles = ArticleBatch(archive: archive)
    }

    /// The bundle holds the events past its base; this archive must hold the base, and where it
    /// holds the base's events they must be the very ones the base names.
    func checkPrerequisites() throws {
        var missing: [String] = []
        for (origin, tip) in file.header.base.origins {
            let have = intake.held(origin)
            if have >= tip.seq {
                let held = try archive.events.hash(origin: origin, seq: tip.seq) ?? "none"
                if held != tip.hash {
                    throw QuireError(.badBundle, "bundle \(file.header.bundle): " + EventIntake.conflict(
                        origin: origin, seq: tip.seq, here: held, there: tip.hash, thereIs: "in the state the bundle was made for") + "; nothing was imported")
                }
            } else if file.header.tip.seq(origin) > tip.seq {
                missing.append("\(origin) events \(have + 1)-\(tip.seq)")
            }
        }
        if !missing.isEmpty {
            throw QuireError(.badBundle, "bundle \(file.header.bundle) builds on events this archive lacks: \(missing.joined(separator: "; ")). Import the bundles before it, or ask for one made with --all or --since a state file from this archive")
        }
    }

    func report(changed: Bool) -> ImportReport {
        ImportReport(header: file.header, eventsAdded: eventsAdded, eventsKnown: eventsKnown, blobsAdded: blobsAdded,
                     blobsKnown: blobsKnown, changed: changed, added: added)
    }

    mutating func finish() throws {
        try articles.flush()
        for stub in redactedStubs {
            let recorded = try db.int("SELECT 1 FROM redactions WHERE blob = ? AND action = 'redact'", stub.hash) != nil
            let named = intake.redactedInBundle.contains(stub.hash) || recorded
            if !named {
                throw QuireError(.badBundle, "bundle blob \(stub.hash) (body offset \(stub.offset)) comes without its bytes as redacted, but no redaction of it is in the bundle or this archive")
            }
        }
        guard eventsSeen == file.header.events, blobsSeen == file.header.blobs else {
            throw QuireError(.badBundle, "bundle \(file.header.bundle) holds \(eventsSeen) events and \(blobsSeen) blobs, but its header says \(file.header.events) and \(file.header.blobs)")
        }
    }

    // MARK: Events

    mutating func event(_ body: [UInt8], at offset: Int) throws {
        eventsSeen += 1
        try intake.accept(body, at: offset)
    }

    // MARK: Blobs

    /// A declared size this archive will spend work on.
    private func checkSize(_ hash: String, _ size: Int, at offset: Int) throws {
        guard size <= archive.largestIncomingBlob else {
            throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) declares \(size) bytes, more than the largest blob this archive accepts (\(archive.largestIncomingBlob) bytes; QUIRE_MAX_BLOB_SIZE)")
        }
    }

    mutating func blobBegin(hash: String, size: Int, kind: BlobRecordKind, base: String?, at offset: Int) throws {
        blobsSeen += 1
        try checkSize(hash, size, at: offset)
        let archive = self.archive
        var store = archive.blobs
        store.cache = cache
        let received = self.received
        blob = try store.receive(hash: hash, size: size, kind: kind, base: base, at: offset, checkOnly: checkOnly,
                                 mayFill: { try archive.mayTakeBytesAgain($0) }, prefixes: &prefixes, keepWhole: true,
                                 baseBytes: { base in
                                     if let bytes = try received?.bytes(of: base) { return bytes }
                                     guard let record = try store.record(hash: base), record.form.holdsBytes else { return nil }
                                     return try store.whole(record)
                                 })
        if blob == nil { blobsKnown += 1 }
    }

    mutating func redactedBlob(hash: String, size: Int, at offset: Int) throws {
        blobsSeen += 1
        try checkSize(hash, size, at: offset)
        if try archive.blobs.contains(hash: hash) {
            blobsKnown += 1
            return
        }
        if !checkOnly { try archive.blobs.putRedacted(hash: hash, size: size) }
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
        try prefixes.put(incoming.hash, incoming.prefix)
        if let whole = incoming.whole {
            try received?.keep(incoming.hash, whole)
            cache.put(incoming.hash, whole)
            if let id = incoming.storedID, incoming.filling == nil, whole.count <= articleExtractionLimit {
                try articles.add(id, whole)
            }
        }
        if let stub = incoming.filling, !checkOnly {
            // Bytes another copy redacted: kept, but hidden until this copy's operator decides.
            try archive.quarantineRefilled(stub)
        }
        blobsAdded += 1
    }
}

/// The whole bytes of blobs a bundle check has passed, kept in a scratch file (nothing is stored
/// in the archive), so a later delta record against one of them can be checked.
private final class ReceivedBlobs {
    private let spill: SpillFile
    private var places: [String: (offset: Int, count: Int)] = [:]

    init(_ spill: SpillFile) { self.spill = spill }

    func keep(_ hash: String, _ bytes: [UInt8]) throws {
        places[hash] = (try spill.append(bytes), bytes.count)
    }

    func bytes(of hash: String) throws -> [UInt8]? {
        guard let place = places[hash] else { return nil }
        return try spill.read(at: place.offset, count: place.count)
    }
}
