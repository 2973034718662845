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
            let peer = try notePeer(archive: header.source, name: peerName, holds: header.tip)
            try noteExchange(peer: peer, direction: "received", bundle: header.bundle, events: report.eventsAdded,
                             blobs: report.blobsAdded, bytes: file.size, file: file.path)
        }
    }
}

/// The state of one import while its records stream by.
private struct BundleImporter: BundleRecordHandler {
    let archive: Archive
    let file: BundleFile
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
    private var prefixes = PrefixCache(capacity: 256)

    init(archive: Archive, file: BundleFile) throws {
        self.archive = archive
        self.file = file
        intake = try EventIntake(log: archive.events)
    }

    /// The bundle holds the events past its base; this archive must hold the base.
    func checkPrerequisites() throws {
        var missing: [String] = []
        for (origin, tip) in file.header.base.origins where file.header.tip.seq(origin) > tip.seq {
            let have = intake.held(origin)
            if have < tip.seq { missing.append("\(origin) events \(have + 1)-\(tip.seq)") }
        }
        if !missing.isEmpty {
            throw QuireError(.badBundle, "bundle \(file.header.bundle) builds on events this archive lacks: \(missing.joined(separator: "; ")). Import the bundles before it, or ask for one made with --all or --since a state file from this archive")
        }
    }

    func report(changed: Bool) -> ImportReport {
        ImportReport(header: file.header, eventsAdded: eventsAdded, eventsKnown: eventsKnown, blobsAdded: blobsAdded,
                     blobsKnown: blobsKnown, changed: changed, added: added)
    }

    func finish() throws {
        for stub in redactedStubs where try db.int("SELECT 1 FROM redactions WHERE blob = ? AND action = 'redact'", stub.hash) == nil {
            throw QuireError(.badBundle, "bundle blob \(stub.hash) (body offset \(stub.offset)) comes without its bytes as redacted, but no redaction of it is in the bundle or this archive")
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
