import Hashing

/// Turns one WARC or ARC file met by an ingest walk into pending files, one per record,
/// streaming: a payload record carries its bytes; a revisit names the blob of the payload it
/// repeats, found among this file's records before it or after it (`WARCRevisitIndex`); damage
/// becomes a failed sighting naming the file and the offset.
///
/// A revisit whose original comes later is held back until the original has been handed on, so
/// the original's blob is always planned first. Revisits whose original is not in the file at
/// all fail at the end of the file, naming what they refer to (resolving them against other
/// files and the archive is the ingest's part, not this file's).
struct WARCIngest {
    let item: Walker.Item
    let status: FileSystem.Status
    let relative: String
    private var reader: WARCReader?
    private var failure: String?
    private var revisits = WARCRevisitIndex()
    /// Revisits waiting for their original, by token.
    private var waiting: [Int: (file: IngestFile, reference: WARCRevisitIndex.Reference, offset: Int)] = [:]
    private var nextToken = 0
    /// Files ready to hand on, in order.
    private var ready: [IngestFile] = []
    private var readyHead = 0
    /// What the file is called in messages: a WARC or an ARC file.
    private var kind = "WARC"
    /// Whether the file's warcinfo says Quire wrote it.
    private var exportedByQuire = false

    static func isWARC(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".warc") || lower.hasSuffix(".warc.gz") || lower.hasSuffix(".arc") || lower.hasSuffix(".arc.gz")
    }

    init(item: Walker.Item, status: FileSystem.Status, relative: String) {
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
                for token in revisits.unresolved {
                    guard let revisit = waiting.removeValue(forKey: token) else { continue }
                    // Still failed, as before; its facts (URL, date, what it refers to) are kept.
                    var file = revisit.file
                    file.key = file.pathText
                    file.content = .failed("\(kind) revisit record at offset \(revisit.offset) of \(relative) "
                        + "refers to a payload that is not in this file (\(revisit.reference.description))")
                    ready.append(file)
                }
                continue
            }
            read(item)
        }
    }

    /// Turns one record (or damage report) into ready files.
    private mutating func read(_ item: WARCReader.Item) {
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
            case .payload(let key, let bytes, let capturedAt, let meta):
                let hash = SHA256.hash(bytes).hex
                var file = pending(key: key, offset: record.offset, meta: meta, capturedAt: capturedAt)
                file.content = .small(bytes: bytes, hash: hash, status: status)
                ready.append(file)
                var digests = [WARCDigest(sha256Hex: hash)]
                if let declared = record.field("WARC-Payload-Digest").flatMap(WARCDigest.init), declared != digests[0] { digests.append(declared) }
                let uri = WARCEntry.targetURI(record.field("WARC-Target-URI") ?? "")
                for token in revisits.add((hash, bytes.count), recordID: record.field("WARC-Record-ID"), digests: digests, uri: uri,
                                          date: record.field("WARC-Date")) {
                    guard let revisit = waiting.removeValue(forKey: token) else { continue }
                    var resolved = revisit.file
                    resolved.content = .large(hash: hash, size: bytes.count, status: status)
                    resolved.supplied = (resolved.supplied ?? []) + [["warc_quirk", "revisit written before the record it repeats"]]
                    ready.append(resolved)
                }
            case .revisit(let key, let reference, let capturedAt, let meta):
                var file = pending(key: key, offset: record.offset, meta: meta, capturedAt: capturedAt)
                if let target = revisits.find(reference) {
                    file.content = .large(hash: target.hash, size: target.size, status: status)
                    ready.append(file)
                } else {
                    revisits.wait(reference, token: nextToken)
                    waiting[nextToken] = (file, reference, record.offset)
                    nextToken += 1
                    // Waiting is bounded: past the limit the revisit waiting longest fails.
                    if revisits.waitingCount > WARCRevisitIndex.maxWaiting, let oldest = revisits.oldestWaiting(),
                       let revisit = waiting.removeValue(forKey: oldest) {
                        revisits.giveUp(oldest)
                        var failed = revisit.file
                        failed.key = failed.pathText
                        failed.content = .failed("\(kind) revisit record at offset \(revisit.offset) of \(relative) refers to a payload "
                            + "not found before \(WARCRevisitIndex.maxWaiting) more revisits waited (\(revisit.reference.description))")
                        ready.append(failed)
                    }
                }
            }
        }
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
