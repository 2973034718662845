#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import SQLite

/// One file on its way through an ingest chunk.
struct PendingFile {
    let item: Walker.Item
    /// The document key: the path, or in URL mode the canonical URL once the bytes are read.
    var key: String
    let pathText: String
    let pathRaw: String?
    var read: FileReader.Result = .failed("not read")
    /// The file's modification time as recorded (formatted here, off the committing thread).
    var mtime: String?
    /// Whether this file's bytes must be stored (neither the archive nor an earlier file has them).
    var mustStore = false
    /// The blob whose first 32 KiB serve as the preset dictionary, with the dictionary bytes.
    var base: (hash: String, bytes: [UInt8])?
    /// For a new document: an archived near-duplicate, tried as the dictionary too (the smaller
    /// result wins, so a false match costs time, never space).
    var nearBase: (hash: String, bytes: [UInt8])?
    /// The stored form, for small files.
    var encoded: (encoding: String, data: [UInt8], usedDictionary: Bool)?
    /// For large files: the temporary file holding the stored form.
    var largeFile: (path: String, encoding: String, size: Int)?
    /// When the archive already held these bytes as the document's head at planning time: the rows
    /// involved. Valid at commit only if no other process has written to the archive since.
    var unchanged: UnchangedPrediction?
    /// For a predicted `unchanged` file: its sighting, and that sighting rendered as canonical JSON
    /// (done here, in parallel, to spare the committing thread).
    var unchangedSighting: (record: SightingRecord, rendered: [UInt8])?
    /// Metadata the scraper supplied for this path, as (name, value) pairs.
    var supplied: [[String]]?
    /// Whether the archive held these bytes when the chunk was prepared (if not, their metadata
    /// is read).
    var inArchive = false
    /// A record of a WARC file: its bytes (or, for a revisit, its hash) are already in `read`.
    var fromWARC = false
    /// What was read out of the bytes (new blobs only).
    var metadata: ArticleMetadata?

    /// The sighting for this file when its bytes are already the document's head.
    func unchangedRecord(versionHash: String) -> SightingRecord? {
        let hash: String, size: Int, status: FileSystem.Status
        switch read {
        case .small(let bytes, let h, let st): (hash, size, status) = (h, bytes.count, st)
        case .large(let h, let s, let st): (hash, size, status) = (h, s, st)
        case .failed: return nil
        }
        var record = SightingRecord(key: key, path: pathText, pathRaw: pathRaw, size: size, mtime: mtime ?? status.mtime,
                                    blob: hash, meaning: "unchanged", version: versionHash)
        record.meta = supplied
        return record
    }
}

/// The rows an `unchanged` sighting refers to, as the plan found them.
struct UnchangedPrediction {
    let document: Int
    let version: Int
    let versionHash: String
    let blob: Int
}

/// A chunk ready to commit: its files, read, hashed, planned and compressed.
struct PreparedChunk {
    let index: Int
    var files: [PendingFile]
    /// Things the walk left out on purpose (symbolic links), with why.
    var skipped: [IngestReport.Problem]

    /// Removes the temporary files of large blobs.
    func removeTemporaryFiles() {
        for file in files { if let large = file.largeFile { unlink(large.path) } }
    }
}

/// Prepares ingest chunks on a background thread while the caller commits earlier ones: walks
/// the inputs, reads and hashes files and compresses new bytes on all cores, and decides each new
/// blob's preset dictionary. It reads the archive through its own connection; what earlier chunks
/// will add but have not committed yet comes from their plans, kept until they are committed.
/// The plan is only advice: the commit checks every decision again inside its transaction.
final class ChunkPreparer: @unchecked Sendable {
    private let archivePath: String
    private let options: IngestOptions
    private let inputs: [[UInt8]]
    private let queue: ChunkQueue<PreparedChunk>
    private let temporaryPrefix: String
    private let finished = DispatchSemaphore(value: 0)

    /// What a prepared but maybe uncommitted chunk will add: new blobs (with their bytes while
    /// small) and the latest blob per key.
    private struct Overlay {
        let index: Int
        var newBlobs: [String: (bytes: [UInt8]?, depth: Int)] = [:]
        var latest: [String: String] = [:]
        /// For each sibling group (see `siblingGroup`), a self-contained new blob: new documents' dictionary.
        var siblings: [String: String] = [:]
        /// The near-duplicate keys of new blobs (see `ShingleSketch.nearKeys`).
        var nearKeys: [UInt64: String] = [:]
    }
    private var overlays: [Overlay] = []

    init(archivePath: String, inputs: [[UInt8]], options: IngestOptions, queue: ChunkQueue<PreparedChunk>) {
        self.archivePath = archivePath
        self.inputs = inputs
        self.options = options
        self.queue = queue
        let directory = (archivePath as NSString).deletingLastPathComponent
        temporaryPrefix = (directory.isEmpty ? "." : directory) + "/." + (archivePath as NSString).lastPathComponent + ".ingest-"
    }

    /// Starts preparing on a new thread.
    func start() {
        let thread = Thread { [self] in
            defer { finished.signal() }
            do {
                try run()
                queue.put(.end)
            } catch {
                queue.put(.failure(error))
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits until the preparing thread has stopped.
    func wait() { finished.wait() }

    private func run() throws {
        let db = try Database(path: archivePath, mode: .readOnly)
        try db.execute("PRAGMA cache_size = -8192")
        var walker = Walker(inputs: inputs, includeHidden: options.includeHidden, followSymlinks: options.followSymlinks)
        var chunk = PreparedChunk(index: 0, files: [], skipped: [])
        var chunkBytes = 0
        // The archive's own files are never archived into it (an archive kept in the folder it archives).
        let ownFiles = Set(["", "-wal", "-shm", "-journal"].compactMap { suffix -> [UInt8]? in
            guard let resolved = realpath(archivePath + suffix, nil) else { return nil }
            defer { free(resolved) }
            return Array(String(cString: resolved).utf8)
        })
        func flush() throws -> Bool {
            try prepare(&chunk, db: db)
            guard queue.put(.element(chunk)) else {
                chunk.removeTemporaryFiles()
                return false
            }
            chunk = PreparedChunk(index: chunk.index + 1, files: [], skipped: [])
            chunkBytes = 0
            return true
        }
        while let item = walker.next() {
            if queue.isCancelled { return }
            if case .skipped(let reason) = item.kind {
                chunk.skipped.append(.init(path: PathText.display(item.relative).text, reason: reason))
                continue
            }
            if case .file = item.kind, !ownFiles.isEmpty, let resolved = realpath(item.path.map { CChar(bitPattern: $0) } + [0], nil) {
                let own = ownFiles.contains(Array(String(cString: resolved).utf8))
                free(resolved)
                if own {
                    chunk.skipped.append(.init(path: PathText.display(item.relative).text, reason: "the archive's own file"))
                    continue
                }
            }
            let (text, exact) = PathText.display(item.relative)
            if options.readWARC, case .file(let status) = item.kind, exact, WARCIngest.isWARC(text) {
                var warc = WARCIngest(item: item, status: status, relative: text)
                while let file = warc.next() {
                    chunk.files.append(file)
                    if case .small(let bytes, _, _) = file.read { chunkBytes += bytes.count }
                    if chunk.files.count >= options.chunkFiles || chunkBytes >= options.chunkBytes {
                        guard try flush() else { return }
                    }
                    if queue.isCancelled { return }
                }
                continue
            }
            var file = PendingFile(item: item, key: text, pathText: text, pathRaw: exact ? nil : Hex.encode(item.relative))
            if let given = options.supplied[text], !given.isEmpty {
                file.supplied = given.map { [$0.name, $0.value] }
                if options.keyMode == .url, let url = given.first(where: { $0.name == "url" }).flatMap({ URLKey.normalize($0.value) }) {
                    file.key = url
                }
            }
            chunk.files.append(file)
            if case .file(let status) = item.kind, status.size <= options.memoryFileLimit { chunkBytes += status.size }
            if chunk.files.count >= options.chunkFiles || chunkBytes >= options.chunkBytes {
                guard try flush() else { return }
            }
        }
        if !chunk.files.isEmpty || !chunk.skipped.isEmpty { _ = try flush() }
    }

    private func prepare(_ chunk: inout PreparedChunk, db: Database) throws {
        readAll(&chunk.files)
        // One read transaction per chunk: one snapshot, and one lock instead of one per query.
        try db.inTransaction(.deferred) { try findKnownBlobs(&chunk.files, db: db) }
        extractAll(&chunk.files)
        try db.inTransaction(.deferred) { try plan(&chunk, db: db) }
        encodeAll(&chunk.files)
    }

    /// Runs `work` for every index on `options.threads` threads.
    private func parallel(_ count: Int, _ work: @escaping @Sendable (Int) -> Void) {
        let threads = max(1, min(options.threads, count))
        if threads == 1 {
            for i in 0..<count { work(i) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            var i = worker
            while i < count {
                work(i)
                i += threads
            }
        }
    }

    private func readAll(_ files: inout [PendingFile]) {
        let slots = SharedSlots(files)
        let limit = options.memoryFileLimit
        parallel(files.count) { i in
            let file = slots.pointer[i]
            if file.fromWARC { return }
            switch file.item.kind {
            case .file:
                let read = FileReader.read(file.item.path, memoryLimit: limit)
                slots.pointer[i].read = read
                switch read {
                case .small(_, _, let status), .large(_, _, let status): slots.pointer[i].mtime = status.mtime
                case .failed: break
                }
            case .failed(let reason), .skipped(let reason): slots.pointer[i].read = .failed(reason)
            }
        }
        files = slots.array
    }

    /// Marks the files whose bytes the archive lacks (their metadata must be read); in URL mode,
    /// keys a file whose bytes the archive has by the URL already extracted from them.
    private func findKnownBlobs(_ files: inout [PendingFile], db: Database) throws {
        for i in files.indices {
            let hash: String
            switch files[i].read {
            case .small(_, let h, _): hash = h
            case .large(let h, _, _): hash = h
            case .failed: continue
            }
            files[i].inArchive = try db.int("SELECT 1 FROM blobs WHERE hash = ?", hash) != nil
            guard files[i].inArchive else { continue }
            if options.keyMode == .url, files[i].key == files[i].pathText,
               let url = try db.text("SELECT a.url FROM articles a JOIN blobs b ON b.id = a.blob WHERE b.hash = ?", hash) {
                files[i].key = url
            }
        }
    }

    /// Reads the metadata of new bytes on all cores; in URL mode a canonical URL becomes the key.
    private func extractAll(_ files: inout [PendingFile]) {
        let slots = SharedSlots(files)
        let byURL = options.keyMode == .url
        parallel(files.count) { i in
            let file = slots.pointer[i]
            guard !file.inArchive, case .small(let bytes, _, _) = file.read, bytes.count <= articleExtractionLimit else { return }
            let metadata = MetadataExtractor.extract(bytes)
            slots.pointer[i].metadata = metadata
            if byURL, file.key == file.pathText, let url = metadata.value("url").flatMap(URLKey.normalize) {
                slots.pointer[i].key = url
            }
        }
        files = slots.array
    }

    /// Decides which files need storing and what each new blob is compressed against: the bytes
    /// of the document's previous version, from this chunk, an uncommitted earlier one, or the archive.
    private func plan(_ chunk: inout PreparedChunk, db: Database) throws {
        let committed = queue.committed
        overlays.removeAll { $0.index <= committed }
        var overlay = Overlay(index: chunk.index)
        let reader = BlobReader(db: db)
        func pending(_ hash: String) -> (bytes: [UInt8]?, depth: Int)? {
            if let found = overlay.newBlobs[hash] { return found }
            for earlier in overlays.reversed() { if let found = earlier.newBlobs[hash] { return found } }
            return nil
        }
        func latest(_ key: String) throws -> (hash: String, head: UnchangedPrediction?)? {
            if let hash = overlay.latest[key] { return (hash, nil) }
            for earlier in overlays.reversed() { if let hash = earlier.latest[key] { return (hash, nil) } }
            return try db.firstRow("""
                SELECT b.hash, d.id, v.id, v.hash, b.id FROM documents d JOIN versions v ON v.id = d.head JOIN blobs b ON b.id = v.blob
                WHERE d.key = ?
                """, [key]) { ($0.text(0), UnchangedPrediction(document: $0.int(1), version: $0.int(2), versionHash: $0.text(3), blob: $0.int(4))) }
        }
        for i in chunk.files.indices {
            let hash: String
            var bytes: [UInt8]? = nil
            switch chunk.files[i].read {
            case .failed: continue
            case .small(let b, let h, _): hash = h; bytes = b
            case .large(let h, _, _): hash = h
            }
            let key = chunk.files[i].key
            let parent = try latest(key)
            let parentHash = parent?.hash
            if parentHash == hash {
                chunk.files[i].unchanged = parent?.head
                continue
            }
            // Keyed by URL, several paths can hold one document: a path showing the same bytes it
            // showed last time is unchanged, and the head stays where it is.
            if parentHash != nil, key != chunk.files[i].pathText,
               let seen = try lastSighting(db: db, key: key, path: chunk.files[i].pathText), seen.blobHash == hash {
                chunk.files[i].unchanged = seen.prediction
                continue
            }
            overlay.latest[key] = hash
            // Held already (as found for this chunk; the commit checks again) or planned earlier.
            if chunk.files[i].inArchive || pending(hash) != nil { continue }
            // A WARC revisit names the payload of an earlier record of its file, which that record
            // stores. (Its blob may be neither "in the archive" nor pending here: `inArchive` was
            // looked up before the previous chunk committed, and its plan is gone since.)
            if chunk.files[i].fromWARC, bytes == nil { continue }
            chunk.files[i].mustStore = true
            var depth = 0
            if bytes != nil, let parentHash {
                if let earlier = pending(parentHash) {
                    if let parentBytes = earlier.bytes, earlier.depth < BlobEncoding.maxDepth {
                        chunk.files[i].base = (parentHash, Array(parentBytes.prefix(BlobEncoding.dictionarySize)))
                        depth = earlier.depth + 1
                    }
                } else if let parent = try reader.record(hash: parentHash), parent.depth < BlobEncoding.maxDepth,
                          parent.encoding == "raw" || parent.encoding == "zlib" {
                    chunk.files[i].base = (parentHash, try reader.prefix(parent))
                    depth = parent.depth + 1
                }
            }
            // A new document has no parent; its nearest relative is usually a recent new file of the
            // same kind from the same place (the same site's page template, the same feed's layout).
            // Such bases form stars, not chains: only a self-contained blob serves as one, so a blob
            // stored this way is read with at most one extra decompression.
            let group = Self.siblingGroup(chunk.files[i].pathText)
            if bytes != nil, parentHash == nil {
                let sibling = overlay.siblings[group] ?? overlays.reversed().lazy.compactMap { $0.siblings[group] }.first
                if let sibling, let earlier = pending(sibling), let siblingBytes = earlier.bytes {
                    chunk.files[i].base = (sibling, siblingBytes)
                    depth = earlier.depth + 1
                } else {
                    overlay.siblings[group] = hash
                }
                // A near-duplicate (a syndicated copy, a light rewrite) shares far more than a template.
                let keys = chunk.files[i].metadata?.nearKeys ?? []
                let planned = { (key: UInt64) in overlay.nearKeys[key] ?? self.overlays.reversed().lazy.compactMap { $0.nearKeys[key] }.first }
                if let near = try nearDuplicate(of: keys, planned: planned, pending: pending, reader: reader, db: db) {
                    chunk.files[i].nearBase = (near.hash, near.bytes)
                    depth = max(depth, near.depth + 1)
                }
                for key in keys where overlay.nearKeys[key] == nil { overlay.nearKeys[key] = hash }
            }
            overlay.newBlobs[hash] = (bytes.map { Array($0.prefix(BlobEncoding.dictionarySize)) }, depth)
        }
        overlays.append(overlay)
    }

    /// A blob already archived or planned whose near-duplicate keys include one of `keys`, with
    /// its dictionary bytes and depth; nil when none can serve as a base.
    /// `planned` finds a key among the blobs earlier files of this ingest will add, `pending` those blobs.
    private func nearDuplicate(of keys: [UInt64], planned: (UInt64) -> String?, pending: (String) -> (bytes: [UInt8]?, depth: Int)?,
                               reader: BlobReader, db: Database) throws -> (hash: String, bytes: [UInt8], depth: Int)? {
        for key in keys {
            if let planned = planned(key), let found = pending(planned), let bytes = found.bytes, found.depth < BlobEncoding.maxDepth {
                return (planned, bytes, found.depth)
            }
            // A key many blobs share is a stock phrase, not a shared story: reading a candidate
            // costs a decompression on this (serial) thread, so such keys are skipped.
            let archived = try db.rows("""
                SELECT b.hash, b.encoding IN ('raw', 'zlib') AND b.depth < ? FROM article_near_keys k JOIN blobs b ON b.id = k.blob
                WHERE k.key = ? LIMIT \(Self.commonKey)
                """, [BlobEncoding.maxDepth, Int64(bitPattern: key)]) { (hash: $0.text(0), usable: $0.int(1) != 0) }
            if archived.count < Self.commonKey, let usable = archived.first(where: \.usable), let record = try reader.record(hash: usable.hash) {
                return (usable.hash, try reader.prefix(record), record.depth)
            }
        }
        return nil
    }

    /// How many archived blobs may share a near-duplicate key before it counts as a stock phrase.
    static let commonKey = 3

    /// Files likely to share boilerplate: the same first path component (the site or feed folder)
    /// and the same extension.
    static func siblingGroup(_ key: String) -> String {
        let first = key.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let name = key.split(separator: "/").last ?? ""
        let ext = name.lastIndex(of: ".").map { String(name[$0...]) } ?? ""
        return first + "|" + ext
    }

    private func encodeAll(_ files: inout [PendingFile]) {
        let slots = SharedSlots(files)
        let level = options.compressionLevel
        let temporaryPrefix = self.temporaryPrefix
        parallel(files.count) { i in
            let file = slots.pointer[i]
            if let prediction = file.unchanged, let record = file.unchangedRecord(versionHash: prediction.versionHash) {
                var rendered: [UInt8] = []
                record.writeCanonical(to: &rendered)
                slots.pointer[i].unchangedSighting = (record, rendered)
            }
            guard file.mustStore else { return }
            switch file.read {
            case .small(let bytes, _, _):
                slots.pointer[i].encoded = try? BlobEncoding.encode(bytes, dictionary: file.base?.bytes, level: level)
                if let near = file.nearBase, let other = try? BlobEncoding.encode(bytes, dictionary: near.bytes, level: level),
                   other.data.count < slots.pointer[i].encoded?.data.count ?? .max {
                    slots.pointer[i].encoded = other
                    slots.pointer[i].base = near
                }
            case .large(let hash, _, _):
                let temporary = temporaryPrefix + Identity.newUUID()
                switch FileReader.encodeLarge(file.item.path, expectedHash: hash, temporaryPath: temporary, level: level) {
                case .success(let result):
                    slots.pointer[i].largeFile = (temporary, result.encoding, result.size)
                case .failure(let error):
                    unlink(temporary)
                    slots.pointer[i].read = .failed(error.message)
                    slots.pointer[i].mustStore = false
                }
            case .failed:
                break
            }
        }
        files = slots.array
    }
}

/// Storage that worker threads fill at distinct indices.
final class SharedSlots<T>: @unchecked Sendable {
    let pointer: UnsafeMutableBufferPointer<T>
    init(_ items: [T]) {
        pointer = .allocate(capacity: items.count)
        _ = pointer.initialize(from: items)
    }
    deinit {
        pointer.deinitialize()
        pointer.deallocate()
    }
    var array: [T] { Array(pointer) }
}
