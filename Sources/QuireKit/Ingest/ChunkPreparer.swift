#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import SQLite
import Synchronization

/// Prepares ingest chunks on a background thread while the caller commits earlier ones: walks
/// the inputs, reads and hashes files and compresses new bytes on all cores, and decides each new
/// blob's preset dictionary. It reads the archive through its own connection; what earlier chunks
/// will add but have not committed yet comes from their plans, kept until they are committed.
/// The plan is only advice: the commit checks every decision again inside its transaction.
final class ChunkPreparer: @unchecked Sendable {
    private let archivePath: String
    private let options: IngestOptions
    private let inputs: [InputRoots.Input]
    private let queue: ChunkQueue<PreparedChunk>
    private let temporaryPrefix: String
    private let finished = DispatchSemaphore(value: 0)

    /// What each new blob is compressed against, and what uncommitted chunks will add.
    private var bases = CompressionBases()
    /// Each encoding thread's own read connection, for the bytes of archived bases.
    private lazy var readers = BaseReaders(path: archivePath, workers: max(1, options.threads))

    init(archivePath: String, inputs: [InputRoots.Input], options: IngestOptions, queue: ChunkQueue<PreparedChunk>) {
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
            // The connections are closed before the ingest hears it is done: the thread's object,
            // which holds them, may outlive it, and a caller may change the file's journal mode at once.
            defer { readers.close(); finished.signal() }
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
        // Revisits whose original is in another WARC file of the batch, or in the archive.
        let revisits = WARCBatchRevisits(db: db)
        // The archive's own files are never archived into it (an archive kept in the folder it archives).
        let ownFiles = Set(["", "-wal", "-shm", "-journal"].compactMap { suffix -> [UInt8]? in
            guard let resolved = realpath(archivePath + suffix, nil) else { return nil }
            defer { free(resolved) }
            return Array(String(cString: resolved).utf8)
        })
        // Bytes of the files walked before the current WARC file (progress; see `PreparedChunk`).
        var inputBytes = 0
        func flush() throws -> Bool {
            chunk.inputBytes = inputBytes
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
                var warc = WARCIngest(item: item, status: status, relative: text, batch: revisits)
                let before = inputBytes
                while let file = warc.next() {
                    inputBytes = before + warc.bytesRead
                    chunk.files.append(file)
                    if case .small(let bytes, _, _)? = file.content { chunkBytes += bytes.count }
                    if chunk.files.count >= options.chunkFiles || chunkBytes >= options.chunkBytes {
                        guard try flush() else { return }
                    }
                    if queue.isCancelled { return }
                }
                inputBytes = before + status.size
                continue
            }
            var file = IngestFile(item: item, key: text, pathText: text, pathRaw: exact ? nil : Hex.encode(item.relative))
            if let legacy = item.legacy.map({ PathText.display($0).text }),
               try db.int("SELECT 1 FROM documents WHERE key = ?", text) == nil,
               try db.int("SELECT 1 FROM documents WHERE key = ?", legacy) != nil {
                // Keyed by the path as typed before schema 13: the document goes on under that key.
                file.key = legacy
                file.pathKey = legacy
            }
            let fullText = PathText.display(item.root + [UInt8(ascii: "/")] + item.relative).text
            let legacyText = item.legacy.map { PathText.display($0).text }
            if let given = options.supplied[text] ?? legacyText.flatMap({ options.supplied[$0] }) ?? options.supplied[fullText], !given.isEmpty {
                file.supplied = given.map { [$0.name, $0.value] }
                if options.keyMode == .url, let url = given.first(where: { $0.name == "url" }).flatMap({ URLKey.normalize($0.value) }) {
                    file.key = url
                }
            }
            chunk.files.append(file)
            if case .file(let status) = item.kind {
                inputBytes += status.size
                if status.size <= options.memoryFileLimit { chunkBytes += status.size }
            }
            if chunk.files.count >= options.chunkFiles || chunkBytes >= options.chunkBytes {
                guard try flush() else { return }
            }
        }
        // Revisits whose original the batch never showed and the archive lacks: pending sightings.
        for file in revisits.finish() {
            chunk.files.append(file)
            if chunk.files.count >= options.chunkFiles {
                guard try flush() else { return }
            }
        }
        if !chunk.files.isEmpty || !chunk.skipped.isEmpty { _ = try flush() }
    }

    private func prepare(_ chunk: inout PreparedChunk, db: Database) throws {
        readAll(&chunk.files)
        // One read transaction per chunk: one snapshot, and one lock instead of one per query.
        try db.inTransaction(.deferred) { try findKnownBlobs(&chunk.files, db: db) }
        chunk.metadataReads = extractAll(&chunk.files)
        try db.inTransaction(.deferred) { try plan(&chunk, db: db) }
        encodeAll(&chunk.files)
    }

    /// Runs `work` for every index on `options.threads` threads.
    private func parallel(_ count: Int, _ work: @escaping @Sendable (Int) -> Void) {
        parallel(count) { i, _ in work(i) }
    }

    /// Runs `work(index, worker)` for every index on `options.threads` threads; each worker takes
    /// the next index when it is free (files differ in size), and `worker` numbers the thread.
    private func parallel(_ count: Int, _ work: @escaping @Sendable (Int, Int) -> Void) {
        let threads = max(1, min(options.threads, count))
        if threads == 1 {
            for i in 0..<count { work(i, 0) }
            return
        }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                if i >= count { break }
                work(i, worker)
            }
        }
    }

    private func readAll(_ files: inout [IngestFile]) {
        let slots = SharedSlots(files)
        let limit = options.memoryFileLimit
        parallel(files.count) { i in
            let file = slots.pointer[i]
            if file.content != nil || file.pendingRevisit { return }
            switch file.item.kind {
            case .file:
                let read = FileReader.read(file.item.path, memoryLimit: limit)
                slots.pointer[i].content = read
                switch read {
                case .small(_, _, let status), .large(_, _, let status): slots.pointer[i].mtime = status.mtime
                case .failed: break
                }
            case .failed(let reason), .skipped(let reason): slots.pointer[i].content = .failed(reason)
            }
        }
        files = slots.array
    }

    /// Marks the files whose bytes the archive lacks (their metadata must be read); in URL mode,
    /// keys a file whose bytes the archive has by the URL already extracted from them.
    private func findKnownBlobs(_ files: inout [IngestFile], db: Database) throws {
        let store = BlobStore(db: db)
        for i in files.indices {
            guard let hash = files[i].hash else { continue }
            files[i].heldAtPlanning = try store.contains(hash: hash)
            guard files[i].heldAtPlanning else { continue }
            if options.keyMode == .url, files[i].key == files[i].pathKey,
               let url = try db.text("SELECT a.url FROM articles a JOIN blobs b ON b.id = a.blob WHERE b.hash = ?", hash) {
                files[i].key = url
            }
        }
    }

    /// Reads the metadata of new bytes on all cores; in URL mode a canonical URL becomes the key.
    ///
    /// Each distinct blob is read once: metadata is a function of the bytes alone, so a file whose
    /// bytes an earlier file of the chunk has takes that file's metadata, and one whose bytes an
    /// earlier chunk of this ingest stores needs none (its sighting finds the blob stored; should
    /// it not, the commit reads them). In URL mode a file keyed by its path still needs its
    /// metadata: its URL is its key. A crawl repeats pages (a third of the HTML records of the
    /// shared WARC series are repeats), and reading a page is most of an ingest's work.
    /// Returns how many files were read.
    private func extractAll(_ files: inout [IngestFile]) -> Int {
        let byURL = options.keyMode == .url
        var first: [String: Int] = [:]
        var work: [Int] = []
        var copies: [(from: Int, to: Int)] = []
        for (i, file) in files.enumerated() {
            guard !file.heldAtPlanning, case .small(let bytes, let hash, _)? = file.content, bytes.count <= articleExtractionLimit else { continue }
            if let earlier = first[hash] { copies.append((earlier, i)); continue }
            if bases.planned(hash), !(byURL && file.key == file.pathKey) { continue }
            first[hash] = i
            work.append(i)
        }
        let slots = SharedSlots(files)
        let distinct = work
        parallel(distinct.count) { w in
            let i = distinct[w]
            guard case .small(let bytes, _, _)? = slots.pointer[i].content else { return }
            slots.pointer[i].metadata = MetadataExtractor.extract(bytes).droppingText()
        }
        for (from, to) in copies { slots.pointer[to].metadata = slots.pointer[from].metadata }
        files = slots.array
        if byURL {
            for i in files.indices where files[i].key == files[i].pathKey {
                if let url = files[i].metadata?.value("url").flatMap(URLKey.normalize) { files[i].key = url }
            }
        }
        return distinct.count
    }

    /// Predicts each file's sighting (`SightingDecider`, from this snapshot and what earlier
    /// uncommitted chunks will add) and, for new bytes, chooses the bases to encode them against.
    private func plan(_ chunk: inout PreparedChunk, db: Database) throws {
        bases.begin(chunk: chunk.index, committed: queue.committed)
        let store = BlobStore(db: db)
        for i in chunk.files.indices {
            guard let hash = chunk.files[i].hash else { continue }
            var bytes: [UInt8]? = nil
            if case .small(let b, _, _)? = chunk.files[i].content { bytes = b }
            let key = chunk.files[i].key, path = chunk.files[i].pathText
            let head = try bases.latest(key).map { (blob: $0, rows: UnchangedPrediction?.none) } ?? SightingFacts.head(db: db, key: key)
            let outcome = try SightingDecider.outcome(hash: hash, key: key, path: path, head: head) {
                try SightingFacts.lastSighting(db: db, key: key, path: path)
            }
            if case .unchanged(let rows) = outcome {
                chunk.files[i].plan = rows.map { .unchanged($0, rendered: nil) } ?? .held
                continue
            }
            bases.planChange(key: key, hash: hash)
            // Held already (as found for this chunk; the commit checks again) or planned earlier.
            // A WARC revisit names the payload of an earlier record of its file, which that record
            // stores: it has no bytes of its own to store. (Its blob may look new here: whether the
            // archive held it was looked up before the previous chunk committed.)
            if chunk.files[i].heldAtPlanning || bases.planned(hash) || (chunk.files[i].fromWARC && bytes == nil) {
                chunk.files[i].plan = .held
                continue
            }
            let candidates = try bases.choose(hash: hash, bytes: bytes, path: path, parent: head?.blob,
                                              nearKeys: chunk.files[i].metadata?.nearKeys ?? [], store: store)
            chunk.files[i].plan = .store(bases: candidates)
        }
    }

    /// Encodes new bytes on all cores (small ones in memory against their candidate bases, large
    /// ones streamed into a temporary file), and renders predicted `unchanged` sightings.
    private func encodeAll(_ files: inout [IngestFile]) {
        let slots = SharedSlots(files)
        let level = options.compressionLevel
        let temporaryPrefix = self.temporaryPrefix
        let readers = self.readers
        parallel(files.count) { i, worker in
            let file = slots.pointer[i]
            switch file.plan {
            case .unchanged(let prediction, nil):
                if let record = file.unchangedRecord(versionHash: prediction.versionHash) {
                    var json: [UInt8] = []
                    record.writeCanonical(to: &json)
                    slots.pointer[i].plan = .unchanged(prediction, rendered: (record, json))
                }
            case .store(let candidates):
                switch file.content {
                case .small(let bytes, _, _)?:
                    let bases = candidates.compactMap { candidate -> (hash: String, bytes: [UInt8])? in
                        switch candidate {
                        case .pending(let hash, let bytes): return (hash, bytes)
                        case .archived(let hash): return readers.bytes(of: hash, worker: worker).map { (hash, $0) }
                        }
                    }
                    if let encoded = try? BlobEncoding.best(bytes, bases: bases, level: level) {
                        slots.pointer[i].plan = .encoded(encoded)
                    }
                case .large(let hash, _, _)?:
                    let temporary = temporaryPrefix + Identity.newUUID()
                    switch FileReader.encodeLarge(file.item.path, expectedHash: hash, temporaryPath: temporary, level: level) {
                    case .success(let result):
                        slots.pointer[i].plan = .encodedFile(path: temporary, compressed: result.compressed)
                    case .failure(let error):
                        unlink(temporary)
                        slots.pointer[i].content = .failed(error.message)
                        slots.pointer[i].plan = .undecided
                    }
                case .failed?, nil:
                    break
                }
            default:
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

/// One read-only connection per encoding thread (SQLite connections are not shared between
/// threads), with the bytes of the bases each read recently: a syndicated story's base serves
/// many files of a chunk.
final class BaseReaders: @unchecked Sendable {
    private let path: String
    private var connections: [Database?]
    private var recent: [[(hash: String, bytes: [UInt8])]]
    static let cached = 8

    init(path: String, workers: Int) {
        self.path = path
        connections = Array(repeating: nil, count: workers)
        recent = Array(repeating: [], count: workers)
    }

    /// Closes every connection and forgets the bytes; a later read opens its connection again.
    func close() {
        connections = connections.map { _ in nil }
        recent = recent.map { _ in [] }
    }

    /// The whole bytes of archived blob `hash`, read by thread `worker`; nil when it cannot be read.
    func bytes(of hash: String, worker: Int) -> [UInt8]? {
        if let hit = recent[worker].first(where: { $0.hash == hash }) { return hit.bytes }
        if connections[worker] == nil {
            connections[worker] = try? Database(path: path, mode: .readOnly)
            try? connections[worker]?.execute("PRAGMA cache_size = -4096")
        }
        guard let db = connections[worker] else { return nil }
        let store = BlobStore(db: db)
        guard let record = try? store.record(hash: hash), let bytes = try? store.whole(record) else { return nil }
        recent[worker].insert((hash, bytes), at: 0)
        if recent[worker].count > Self.cached { recent[worker].removeLast() }
        return bytes
    }
}
