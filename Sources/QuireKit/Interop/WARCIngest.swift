import Hashing

/// Turns one WARC file met by an ingest walk into pending files, one per record, streaming: a
/// payload record carries its bytes; a revisit names the blob of the record it refers to (found
/// by record id, or by payload digest, among this file's earlier records); damage becomes a
/// failed sighting naming the file and the offset.
struct WARCIngest {
    let item: Walker.Item
    let status: FileSystem.Status
    let relative: String
    private var reader: WARCReader?
    private var failure: String?
    /// Earlier payloads of this file by record id and by the digest their record declared.
    private var byRecordID: [String: (hash: String, size: Int)] = [:]
    private var byDigest: [String: (hash: String, size: Int)] = [:]

    static func isWARC(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".warc") || lower.hasSuffix(".warc.gz") || lower.hasSuffix(".arc") || lower.hasSuffix(".arc.gz")
    }

    init(item: Walker.Item, status: FileSystem.Status, relative: String) {
        self.item = item
        self.status = status
        self.relative = relative
        do { reader = try WARCReader(path: String(decoding: item.path, as: UTF8.self)) } catch { failure = "\(error)" }
    }

    mutating func next() -> IngestFile? {
        if let failure {
            self.failure = nil
            var file = IngestFile(item: item, key: relative, pathText: relative, pathRaw: nil, fromWARC: true)
            file.content = .failed(failure)
            return file
        }
        guard reader != nil else { return nil }
        while let entry = reader!.next() {
            switch entry {
            case .damaged(let offset, let reason):
                return failed(offset: offset, reason: "WARC record at offset \(offset) of \(relative): \(reason)")
            case .record(let record):
                switch WARCEntry.interpret(record, file: relative) {
                case .skip:
                    continue
                case .damaged(let reason):
                    return failed(offset: record.offset, reason: "WARC record at offset \(record.offset) of \(relative): \(reason)")
                case .payload(let key, let bytes, let capturedAt, let meta):
                    let hash = SHA256.hash(bytes).hex
                    if let id = record.field("WARC-Record-ID") { byRecordID[id] = (hash, bytes.count) }
                    if let digest = record.field("WARC-Payload-Digest") { byDigest[digest] = (hash, bytes.count) }
                    var file = pending(key: key, offset: record.offset, meta: meta, capturedAt: capturedAt)
                    file.content = .small(bytes: bytes, hash: hash, status: status)
                    return file
                case .revisit(let key, let refersTo, let digest, let capturedAt, let meta):
                    guard let target = refersTo.flatMap({ byRecordID[$0] }) ?? digest.flatMap({ byDigest[$0] }) else {
                        return failed(offset: record.offset, reason: "WARC revisit record at offset \(record.offset) of \(relative) refers to a payload that is not in this file")
                    }
                    var file = pending(key: key, offset: record.offset, meta: meta, capturedAt: capturedAt)
                    file.content = .large(hash: target.hash, size: target.size, status: status)
                    return file
                }
            }
        }
        reader!.close()
        reader = nil
        return nil
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
