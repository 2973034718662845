import Hashing
import SQLite

/// Turns one WARC or ARC file met by an ingest walk into pending files, one per record,
/// streaming: a payload record carries its bytes; a revisit names the blob of the payload it
/// repeats, found among the batch's records before it or after it, in its file or another
/// (`WARCBatchRevisits`), or in the archive; damage becomes a failed sighting naming the file and
/// the offset.
///
/// A revisit whose original comes later is held back until the original has been handed on, so
/// the original's blob is always planned first. At the end of its file a revisit still waiting is
/// looked up in the archive; one found nowhere waits for the rest of the batch, and at its end
/// becomes a `pending` sighting (`WARCBatchRevisits.finish`).
struct WARCIngest {
    let item: Walker.Item
    let status: FileSystem.Status
    let relative: String
    private var reader: WARCReader?
    private var failure: String?
    private let batch: WARCBatchRevisits
    /// This file's payloads: a revisit's original in its own file is preferred to one elsewhere
    /// (a truncated copy of the same crawl in the batch holds the same record ids).
    private var revisits = WARCRevisitIndex()
    /// This file's revisits that wait for their original later in the file, by token.
    private var waiting: [Int: (file: IngestFile, reference: WARCRevisitIndex.Reference)] = [:]
    private var nextToken = 0
    /// Files ready to hand on, in order.
    private var ready: [IngestFile] = []
    private var readyHead = 0
    /// What the file is called in messages: a WARC or an ARC file.
    private var kind = "WARC"
    /// Whether the file's warcinfo says Quire wrote it.
    private var exportedByQuire = false
    /// Bytes of the file read so far (the offset of the last record met; the size at its end),
    /// for the ingest's progress.
    private(set) var bytesRead = 0

    static func isWARC(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".warc") || lower.hasSuffix(".warc.gz") || lower.hasSuffix(".arc") || lower.hasSuffix(".arc.gz")
    }

    init(item: Walker.Item, status: FileSystem.Status, relative: String, batch: WARCBatchRevisits) {
        self.batch = batch
        self.item = item
        self.status = status
        self.relative = relative
        let lower = relative.lowercased()
        if lower.hasSuffix(".arc") || lower.hasSuffix(".arc.gz") { kind = "ARC" }
        do { reader = try WARCReader(path: String(decoding: item.path, as: UTF8.self)) } catch { failure = "\(error)" }
    }

    mutating func next() -> IngestFile? {
        if let failure {
            self.failure = nil
            var file = IngestFile(item: item, key: relative, pathText: relative, pathRaw: nil, fromWARC: true)
            file.content = .failed(failure)
            return file
        }
        while true {
            if readyHead < ready.count {
                let file = ready[readyHead]
                readyHead += 1
                if readyHead == ready.count { ready.removeAll(keepingCapacity: true); readyHead = 0 }
                return file
            }
            guard reader != nil else { return nil }
            guard let item = reader!.next() else {
                reader!.close()
                reader = nil
                bytesRead = status.size
                // This file's revisits still waiting: their original may be in an earlier file of
                // the batch, or archived already; else they wait for the rest of the batch.
                for token in revisits.unresolved {
                    guard let revisit = waiting.removeValue(forKey: token) else { continue }
                    if let target = batch.index.find(revisit.reference) ?? batch.lookUp(revisit.reference) {
                        ready.append(resolved(revisit.file, revisit.reference, to: target, note: ["warc_original", target.path]))
                    } else {
                        _ = batch.wait(revisit.file, reference: revisit.reference, relative: relative)
                        // Waiting is bounded: past the limit the revisit waiting longest is recorded as pending.
                        if let oldest = batch.overflow() { ready.append(oldest) }
                    }
                }
                waiting = [:]
                revisits = WARCRevisitIndex()
                continue
            }
            read(item)
        }
    }

    /// Turns one record (or damage report) into ready files.
    private mutating func read(_ item: WARCReader.Item) {
        switch item {
        case .damaged(let offset, _): bytesRead = max(bytesRead, min(offset, status.size))
        case .record(let record): bytesRead = max(bytesRead, min(record.offset, status.size))
        }
        switch item {
        case .damaged(let offset, let reason):
            ready.append(failed(offset: offset, reason: "\(kind) record at offset \(offset) of \(relative): \(reason)"))
        case .record(let record):
            if record.isARC { kind = "ARC" }
            if record.type == "warcinfo", record.block.starts(with: Array("software: quire".utf8)) { exportedByQuire = true }
            switch WARCEntry.interpret(record, file: relative, exportedByQuire: exportedByQuire) {
            case .skip:
                break
            case .damaged(let reason):
                ready.append(failed(offset: record.offset, reason: "\(kind) record at offset \(record.offset) of \(relative): \(reason)"))
            case .payload(let key, let bytes, let digest, let capturedAt, let meta, let partial):
                let hash = digest.hex
                var file = pending(key: key, offset: record.offset, meta: meta, capturedAt: capturedAt)
                file.content = .small(bytes: bytes, hash: hash, status: status)
                file.partial = partial
                ready.append(file)
                var digests = [WARCDigest(sha256Hex: hash)]
                if let declared = record.field("WARC-Payload-Digest").flatMap(WARCDigest.init), declared != digests[0] { digests.append(declared) }
                let uri = WARCEntry.targetURI(record.field("WARC-Target-URI") ?? "")
                let path = "\(relative)#\(record.offset)"
                let recordID = record.field("WARC-Record-ID"), date = record.field("WARC-Date")
                let target: WARCRevisitIndex.Target = (hash, bytes.count, path, digests)
                for token in revisits.add(target, recordID: recordID, uri: uri, date: date) {
                    guard let revisit = waiting.removeValue(forKey: token) else { continue }
                    ready.append(resolved(revisit.file, revisit.reference, to: target, note: ["warc_quirk", "revisit written before the record it repeats"]))
                }
                // Revisits of earlier files that waited for the rest of the batch.
                for token in batch.index.add(target, recordID: recordID, uri: uri, date: date) {
                    guard let revisit = batch.waiting.removeValue(forKey: token) else { continue }
                    ready.append(resolved(revisit.file, revisit.reference, to: target, note: ["warc_original", path]))
                }
            case .revisit(let key, let reference, let capturedAt, let meta, let partial):
                var file = pending(key: key, offset: record.offset, meta: meta, capturedAt: capturedAt)
                file.partial = partial
                if let target = revisits.find(reference) {
                    ready.append(resolved(file, reference, to: target, note: nil))
                } else {
                    // It waits for the rest of its file first (Webrecorder writes revisits first).
                    revisits.wait(reference, token: nextToken)
                    waiting[nextToken] = (file, reference)
                    nextToken += 1
                    // Waiting is bounded: past the limit the revisit waiting longest goes on to be
                    // looked for in the batch and the archive at once.
                    if revisits.waitingCount > WARCRevisitIndex.maxWaiting, let oldest = revisits.oldestWaiting(),
                       let revisit = waiting.removeValue(forKey: oldest) {
                        revisits.giveUp(oldest)
                        if let target = batch.index.find(revisit.reference) ?? batch.lookUp(revisit.reference) {
                            ready.append(resolved(revisit.file, revisit.reference, to: target, note: ["warc_original", target.path]))
                        } else {
                            _ = batch.wait(revisit.file, reference: revisit.reference, relative: relative)
                            if let oldest = batch.overflow() { ready.append(oldest) }
                        }
                    }
                }
            }
        }
    }

    /// `revisit` as a sighting of `target`'s payload, with `note` (a supplied field) and, when the
    /// digest it declares is not its original's, that quirk (`WARCRevisitIndex.digestQuirk`).
    private func resolved(_ revisit: IngestFile, _ reference: WARCRevisitIndex.Reference, to target: WARCRevisitIndex.Target,
                          note: [String]?) -> IngestFile {
        var file = revisit
        file.content = .large(hash: target.hash, size: target.size, status: status)
        let added: [[String]] = (note.map { [$0] } ?? []) + WARCRevisitIndex.digestQuirk(reference, target: target)
        if !added.isEmpty { file.supplied = (file.supplied ?? []) + added }
        return file
    }

    private func pending(key: String, offset: Int, meta: [[String]], capturedAt: String?) -> IngestFile {
        var file = IngestFile(item: item, key: key, pathText: "\(relative)#\(offset)", pathRaw: nil, fromWARC: true)
        file.supplied = meta
        file.mtime = capturedAt
        return file
    }

    private func failed(offset: Int, reason: String) -> IngestFile {
        var file = IngestFile(item: item, key: "\(relative)#\(offset)", pathText: "\(relative)#\(offset)", pathRaw: nil, fromWARC: true)
        file.content = .failed(reason)
        return file
    }
}

/// The revisits of one batch that wait for their original, shared by the `WARCIngest` of each
/// of its files, with the payloads the batch has shown (`WARCRevisitIndex`) and a way to find a
/// payload in the archive. Memory is bounded: at most `WARCRevisitIndex.maxWaiting` revisits
/// wait; past that the one waiting longest is recorded as pending.
final class WARCBatchRevisits {
    struct Waiting {
        var file: IngestFile
        let reference: WARCRevisitIndex.Reference
        /// The file the revisit is in.
        let relative: String
    }

    var index = WARCRevisitIndex()
    var waiting: [Int: Waiting] = [:]
    private var nextToken = 0
    /// The archived payload a reference names, if any.
    let lookUp: (WARCRevisitIndex.Reference) -> WARCRevisitIndex.Target?

    init(lookUp: @escaping (WARCRevisitIndex.Reference) -> WARCRevisitIndex.Target?) {
        self.lookUp = lookUp
    }

    /// Finds archived payloads through `db` (the preparer's read connection).
    convenience init(db: Database) {
        self.init { reference in try? WARCArchivedPayloads.find(reference, db: db) }
    }

    /// Keeps a revisit until a payload it names arrives; returns its token.
    func wait(_ file: IngestFile, reference: WARCRevisitIndex.Reference, relative: String) -> Int {
        let token = nextToken
        nextToken += 1
        index.wait(reference, token: token)
        waiting[token] = Waiting(file: file, reference: reference, relative: relative)
        return token
    }

    /// When more revisits wait than the limit, the one waiting longest, as a pending sighting.
    func overflow() -> IngestFile? {
        guard index.waitingCount > WARCRevisitIndex.maxWaiting, let oldest = index.oldestWaiting(),
              let revisit = waiting.removeValue(forKey: oldest) else { return nil }
        index.giveUp(oldest)
        return Self.pending(revisit, why: "neither among the \(WARCRevisitIndex.maxWaiting) revisits the batch could keep waiting nor in the archive")
    }

    /// The revisits still waiting when the batch's walk is over, in the order they were read, as
    /// pending sightings.
    func finish() -> [IngestFile] {
        let tokens = index.unresolved
        var out: [IngestFile] = []
        for token in tokens {
            guard let revisit = waiting.removeValue(forKey: token) else { continue }
            index.giveUp(token)
            out.append(Self.pending(revisit, why: "neither in its batch nor in the archive"))
        }
        return out
    }

    private static func pending(_ revisit: Waiting, why: String) -> IngestFile {
        var file = revisit.file
        file.pendingRevisit = true
        file.content = nil
        file.supplied = (file.supplied ?? []) + [["warc_quirk", "revisit of a payload \(why) (\(revisit.reference.description)): "
            + "pending until the payload arrives"]]
        return file
    }
}
