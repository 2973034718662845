#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation

extension Archive {
    /// Archives the files at `paths` (files or directories) as one batch.
    ///
    /// Each file is hashed; new bytes are stored once, compressed (a new version against its
    /// parent's bytes); every file becomes a sighting with its meaning. Work is committed in
    /// transactions of a few hundred files, so a kill loses at most the chunk in flight and
    /// running the same ingest again completes the work. Files that cannot be read become
    /// `failed` sightings and the rest of the batch goes on.
    public func ingest(paths: [String], options: IngestOptions = IngestOptions(),
                       progress: ((IngestProgress) -> Void)? = nil) throws -> IngestReport {
        try ingest(rawPaths: paths.map { Array($0.utf8) }, options: options, progress: progress)
    }

    /// `ingest(paths:)` for paths given as raw bytes (names that are not UTF-8).
    public func ingest(rawPaths: [[UInt8]], options: IngestOptions = IngestOptions(),
                       progress: ((IngestProgress) -> Void)? = nil) throws -> IngestReport {
        var run = IngestRun(archive: self, options: options, progress: progress)
        return try run.run(inputs: rawPaths)
    }
}

/// One file on its way through an ingest chunk.
private struct PendingFile {
    let item: Walker.Item
    let key: String
    let pathText: String
    let pathRaw: String?
    var read: FileReader.Result = .failed("not read")
    /// Whether this file's bytes must be stored (the archive and the chunk lack them).
    var mustStore = false
    /// The blob whose first 32 KiB serve as the preset dictionary, with the dictionary bytes.
    var base: (hash: String, bytes: [UInt8])?
    /// The stored form, for small files.
    var encoded: (encoding: String, data: [UInt8], usedDictionary: Bool)?
    /// For large files: the temporary file holding the stored form.
    var largeFile: (path: String, encoding: String, size: Int)?
}

/// Unsafe storage that worker threads fill at distinct indices.
private final class SharedSlots<T>: @unchecked Sendable {
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

private struct IngestRun {
    let archive: Archive
    let options: IngestOptions
    let progress: ((IngestProgress) -> Void)?
    var report: IngestReport
    let started = DispatchTime.now()
    private var lastProgress = DispatchTime(uptimeNanoseconds: 0)

    init(archive: Archive, options: IngestOptions, progress: ((IngestProgress) -> Void)?) {
        self.archive = archive
        self.options = options
        self.progress = progress
        report = IngestReport(batch: Identity.newUUID(), label: "")
    }

    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }

    mutating func run(inputs: [[UInt8]]) throws -> IngestReport {
        let label = options.label ?? defaultLabel(inputs)
        report = IngestReport(batch: report.batch, label: label)
        let startedAt = Timestamp.now()
        let inputTexts = inputs.map { PathText.display(absolute($0)).text }
        var open: [String: JSON] = [
            "id": .string(report.batch), "label": .string(label), "agent": .string(options.agent ?? Identity.defaultAgent),
            "host": .string(Identity.host), "tool": .string(Identity.tool), "inputs": .array(inputTexts.map { .string($0) }),
            "started": .string(startedAt),
        ]
        if let source = options.source { open["source"] = .string(source) }
        if let note = options.note { open["note"] = .string(note) }
        try archive.record(kind: EventKind.batchOpen, payload: .object(open))

        var walker = Walker(inputs: inputs, includeHidden: options.includeHidden, followSymlinks: options.followSymlinks)
        var chunk: [PendingFile] = []
        var chunkBytes = 0
        while let item = walker.next() {
            if case .skipped(let reason) = item.kind {
                report.skipped.append(.init(path: PathText.display(item.relative).text, reason: reason))
                continue
            }
            let (text, exact) = PathText.display(item.relative)
            chunk.append(PendingFile(item: item, key: text, pathText: text, pathRaw: exact ? nil : Hex.encode(item.relative)))
            if case .file(let status) = item.kind, status.size <= options.memoryFileLimit { chunkBytes += status.size }
            if chunk.count >= options.chunkFiles || chunkBytes >= options.chunkBytes {
                try process(&chunk)
                chunk.removeAll(keepingCapacity: true)
                chunkBytes = 0
            }
        }
        if !chunk.isEmpty { try process(&chunk) }

        report.seconds = elapsed
        let counts = JSON.object(report.counts.mapValues { .int(Int64($0)) })
        try archive.record(kind: EventKind.batchClose, payload: [
            "id": .string(report.batch), "finished": .string(Timestamp.now()), "counts": counts,
            "files": .int(Int64(report.files)), "bytes": .int(Int64(report.bytes)),
        ])
        progress?(IngestProgress(files: report.files, bytes: report.bytes, elapsed: report.seconds))
        return report
    }

    private func defaultLabel(_ inputs: [[UInt8]]) -> String {
        let first = inputs.first.map { PathText.display(PathText.normalize($0)).text } ?? "stdin"
        let name = first.split(separator: "/").last.map(String.init) ?? first
        return "\(Timestamp.now().prefix(10)) \(name)"
    }

    private func absolute(_ path: [UInt8]) -> [UInt8] {
        if path.first == UInt8(ascii: "/") { return PathText.normalize(path) }
        return PathText.normalize(Array(FileManager.default.currentDirectoryPath.utf8) + [UInt8(ascii: "/")] + path)
    }

    // MARK: - One chunk: read and hash in parallel, plan, compress in parallel, commit.

    private mutating func process(_ chunk: inout [PendingFile]) throws {
        readAll(&chunk)
        try plan(&chunk)
        encodeAll(&chunk)
        defer {
            for file in chunk { if let large = file.largeFile { unlink(large.path) } }
        }
        try commit(chunk)
        let now = DispatchTime.now()
        if now.uptimeNanoseconds - lastProgress.uptimeNanoseconds > 100_000_000 {
            lastProgress = now
            progress?(IngestProgress(files: report.files, bytes: report.bytes, elapsed: elapsed))
        }
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

    private func readAll(_ chunk: inout [PendingFile]) {
        let slots = SharedSlots(chunk)
        let limit = options.memoryFileLimit
        parallel(chunk.count) { i in
            let file = slots.pointer[i]
            switch file.item.kind {
            case .file:
                slots.pointer[i].read = FileReader.read(file.item.path, memoryLimit: limit)
            case .failed(let reason):
                slots.pointer[i].read = .failed(reason)
            case .skipped(let reason):
                slots.pointer[i].read = .failed(reason)
            }
        }
        chunk = slots.array
    }

    /// Decides which files need storing and what each new blob is compressed against: the bytes
    /// of the document's previous version, from this chunk or from the archive.
    private func plan(_ chunk: inout [PendingFile]) throws {
        var newInChunk: [String: (bytes: [UInt8]?, depth: Int)] = [:]
        var latestInChunk: [String: String] = [:]   // key -> blob hash
        try archive.read {
            for i in chunk.indices {
                let hash: String
                var bytes: [UInt8]? = nil
                switch chunk[i].read {
                case .failed: continue
                case .small(let b, let h, _): hash = h; bytes = b
                case .large(let h, _, _): hash = h
                }
                defer { latestInChunk[chunk[i].key] = hash }
                if newInChunk[hash] != nil { continue }
                if try archive.db.int("SELECT 1 FROM blobs WHERE hash = ?", hash) != nil { continue }
                chunk[i].mustStore = true
                var depth = 0
                let parentHash = try latestInChunk[chunk[i].key] ?? headBlobHash(key: chunk[i].key)
                if bytes != nil, let parentHash {
                    if let earlier = newInChunk[parentHash] {
                        if let parentBytes = earlier.bytes, earlier.depth < BlobEncoding.maxDepth {
                            chunk[i].base = (parentHash, Array(parentBytes.prefix(BlobEncoding.dictionarySize)))
                            depth = earlier.depth + 1
                        }
                    } else if let parent = try archive.blobRecord(hash: parentHash), parent.depth < BlobEncoding.maxDepth,
                              parent.encoding == "raw" || parent.encoding == "zlib" {
                        chunk[i].base = (parentHash, try archive.blobPrefix(parent))
                        depth = parent.depth + 1
                    }
                }
                newInChunk[hash] = (bytes, depth)
            }
        }
    }

    private func headBlobHash(key: String) throws -> String? {
        try archive.db.text("""
            SELECT b.hash FROM documents d JOIN versions v ON v.id = d.head JOIN blobs b ON b.id = v.blob WHERE d.key = ?
            """, key)
    }

    private func encodeAll(_ chunk: inout [PendingFile]) {
        let slots = SharedSlots(chunk)
        let level = options.compressionLevel
        let directory = (archive.path as NSString).deletingLastPathComponent
        let temporaryPrefix = (directory.isEmpty ? "." : directory) + "/." + (archive.path as NSString).lastPathComponent + ".ingest-"
        parallel(chunk.count) { i in
            let file = slots.pointer[i]
            guard file.mustStore else { return }
            switch file.read {
            case .small(let bytes, _, _):
                slots.pointer[i].encoded = try? BlobEncoding.encode(bytes, dictionary: file.base?.bytes, level: level)
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
        chunk = slots.array
    }

    // MARK: - Commit

    private mutating func commit(_ chunk: [PendingFile]) throws {
        var chunkReport = report
        try archive.write {
            var tip = try archive.chainTip(origin: archive.selfOrigin)
            for file in chunk {
                try commitOne(file, tip: &tip, report: &chunkReport)
            }
        }
        report = chunkReport
    }

    private func commitOne(_ file: PendingFile, tip: inout ChainTip, report: inout IngestReport) throws {
        var payload: [String: JSON] = [
            "batch": .string(report.batch), "path": .string(file.pathText), "key": .string(file.key),
        ]
        if let raw = file.pathRaw { payload["path_raw"] = .string(raw) }
        report.files += 1

        let hash: String, size: Int, status: FileSystem.Status
        switch file.read {
        case .failed(let reason):
            payload["meaning"] = "failed"
            payload["error"] = .string(reason)
            if case .file(let st) = file.item.kind { payload["size"] = .int(Int64(st.size)); payload["mtime"] = .string(st.mtime) }
            try archive.record(kind: EventKind.sighting, payload: .object(payload), tip: &tip)
            report.counts["failed", default: 0] += 1
            report.failures.append(.init(path: file.pathText, reason: reason))
            return
        case .small(let bytes, let h, let st): hash = h; size = bytes.count; status = st
        case .large(let h, let s, let st): hash = h; size = s; status = st
        }
        payload["size"] = .int(Int64(size))
        payload["mtime"] = .string(status.mtime)
        payload["blob"] = .string(hash)
        report.bytes += size

        let existing = try archive.blobRecord(hash: hash)
        if existing == nil {
            let stored = try store(file, hash: hash, size: size)
            report.newBlobs += 1
            report.storedBytes += stored
        }

        let document = try archive.db.firstRow("""
            SELECT d.id, v.hash, b.hash FROM documents d
            LEFT JOIN versions v ON v.id = d.head LEFT JOIN blobs b ON b.id = v.blob
            WHERE d.key = ?
            """, [file.key]) { (id: $0.int(0), headVersion: $0.optionalText(1), headBlob: $0.optionalText(2)) }

        let meaning: String
        if let document, document.headBlob == hash, let head = document.headVersion {
            meaning = "unchanged"
            payload["version"] = .string(head)
        } else {
            let parents = try document.map { try heads(document: $0.id) } ?? []
            payload["version"] = .string(versionHash(key: file.key, blob: hash, parents: parents))
            payload["parents"] = .array(parents.map { .string($0) })
            if existing == nil {
                meaning = document == nil ? "new" : "version"
            } else if let document, try archive.db.int("""
                SELECT 1 FROM versions v JOIN blobs b ON b.id = v.blob WHERE v.document = ? AND b.hash = ?
                """, document.id, hash) != nil {
                meaning = "version"
            } else {
                meaning = "duplicate"
            }
        }
        payload["meaning"] = .string(meaning)
        try archive.record(kind: EventKind.sighting, payload: .object(payload), tip: &tip)
        report.counts[meaning, default: 0] += 1
    }

    /// The hashes of a document's heads (versions no other version names as parent), sorted.
    private func heads(document: Int) throws -> [String] {
        try archive.db.rows("""
            SELECT v.hash FROM versions v WHERE v.document = ?
            AND NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = v.id) ORDER BY v.hash
            """, [document]) { $0.text(0) }
    }

    /// Writes a new blob; returns the bytes it takes in the archive.
    private func store(_ file: PendingFile, hash: String, size: Int) throws -> Int {
        if let large = file.largeFile {
            guard let input = fopen(large.path, "rb") else {
                throw QuireError(.io, "cannot read temporary file \(large.path)")
            }
            defer { fclose(input) }
            _ = try archive.insertBlobStreaming(hash: hash, size: size, encoding: large.encoding, base: nil, depth: 0) { emit in
                var buffer = [UInt8](repeating: 0, count: BlobEncoding.chunkSize)
                while true {
                    let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, input) }
                    if n == 0 { break }
                    try buffer.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                }
            }
            return large.size
        }
        guard case .small(let bytes, _, _) = file.read else {
            throw QuireError(.io, "\(file.pathText): no bytes to store")
        }
        var encoded = file.encoded
        var base: BlobRecord? = nil
        if let e = encoded, e.usedDictionary, let planned = file.base {
            base = try archive.blobRecord(hash: planned.hash)
            if base == nil || base!.depth >= BlobEncoding.maxDepth { encoded = nil; base = nil }
        }
        if encoded == nil {
            encoded = try BlobEncoding.encode(bytes, dictionary: nil, level: options.compressionLevel)
        }
        let e = encoded!
        _ = try archive.insertBlob(hash: hash, size: size, encoding: e.encoding, base: e.usedDictionary ? base?.id : nil,
                                   depth: e.usedDictionary ? (base?.depth ?? 0) + 1 : 0, data: e.data)
        return e.data.count
    }
}
