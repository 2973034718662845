#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import SQLite

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

private struct IngestRun {
    let archive: Archive
    let options: IngestOptions
    let progress: ((IngestProgress) -> Void)?
    var report: IngestReport
    let started = DispatchTime.now()
    private var lastProgress = DispatchTime(uptimeNanoseconds: 0)
    /// The batch's row in `batches`.
    private var batchRow: Int?
    /// `PRAGMA data_version` when the ingest started: it changes when another connection commits.
    private var dataVersion: Int?
    /// Whether the preparer's view of the archive can be trusted (no other writer since the start).
    private var trustPlan = true

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
        batchRow = try archive.read { try archive.db.int("SELECT id FROM batches WHERE uuid = ?", report.batch) }
        dataVersion = try archive.read { try archive.db.int("PRAGMA data_version") }

        // A background thread prepares chunks (walk, read, hash, compress) while this one commits.
        let queue = ChunkQueue<PreparedChunk>(capacity: 1)
        let preparer = ChunkPreparer(archivePath: archive.path, inputs: inputs, options: options, queue: queue)
        preparer.start()
        // The log is copied into the file in the background; this thread only appends to it.
        let checkpointer = Checkpointer(path: archive.path)
        try archive.db.execute("PRAGMA wal_autocheckpoint = 0")
        checkpointer.start()
        defer {
            checkpointer.stop()
            try? archive.db.execute("PRAGMA wal_autocheckpoint = 1000")
        }
        do {
            loop: while true {
                switch queue.take() {
                case .end: break loop
                case .failure(let error): throw error
                case .element(let chunk):
                    defer { chunk.removeTemporaryFiles() }
                    report.skipped += chunk.skipped
                    try commit(chunk.files)
                    queue.markCommitted(chunk.index)
                    reportProgress()
                }
            }
        } catch {
            for chunk in queue.cancel() { chunk.removeTemporaryFiles() }
            preparer.wait()
            for chunk in queue.cancel() { chunk.removeTemporaryFiles() }
            throw error
        }
        preparer.wait()

        // Blobs from before migration 4 (or a sync that skipped them) get their metadata now.
        try archive.write { _ = try archive.indexMissingArticles() }
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

    private mutating func reportProgress() {
        let now = DispatchTime.now()
        if now.uptimeNanoseconds - lastProgress.uptimeNanoseconds > 100_000_000 {
            lastProgress = now
            progress?(IngestProgress(files: report.files, bytes: report.bytes, elapsed: elapsed))
        }
    }

    // MARK: - Commit

    private mutating func commit(_ chunk: [PendingFile]) throws {
        var chunkReport = report
        try archive.write {
            // Another process's commit changes data_version; then every decision is looked up again.
            if try archive.db.int("PRAGMA data_version") != dataVersion { trustPlan = false }
            guard !chunk.isEmpty, let batchRow else { return }
            var tip = try archive.chainTip(origin: archive.selfOrigin)
            // One event holds the chunk's sightings; each is applied as it is decided, so the
            // next file sees the documents and versions the previous ones made.
            try archive.recordBuilt(kind: EventKind.sightings, tip: &tip) { eventID, at in
                var items: [[UInt8]] = []
                items.reserveCapacity(chunk.count)
                for file in chunk {
                    let (record, known, rendered) = try decide(file, report: &chunkReport)
                    try archive.applySighting(record, batch: batchRow, eventID: eventID, at: at, known: known)
                    if let rendered {
                        items.append(rendered)
                    } else {
                        var text: [UInt8] = []
                        record.writeCanonical(to: &text)
                        items.append(text)
                    }
                }
                return SightingRecord.eventPayload(batch: chunkReport.batch, rendered: items)
            }
        }
        report = chunkReport
    }

    /// Decides what one file's sighting means, storing its bytes if they are new. Returns the
    /// sighting, the rows it refers to, and its canonical JSON when the preparer already made it.
    private func decide(_ file: PendingFile, report: inout IngestReport) throws -> (SightingRecord, KnownRows, [UInt8]?) {
        report.files += 1
        if file.fromWARC { report.records += 1 }
        let hash: String, size: Int, status: FileSystem.Status
        switch file.read {
        case .failed(let reason):
            var record = SightingRecord(key: file.key, path: file.pathText, pathRaw: file.pathRaw, meaning: "failed", error: reason)
            record.meta = file.supplied
            if case .file(let st) = file.item.kind { record.size = st.size; record.mtime = st.mtime }
            report.counts["failed", default: 0] += 1
            report.failures.append(.init(path: file.pathText, reason: reason))
            return (record, KnownRows(), nil)
        case .small(let bytes, let h, let st): hash = h; size = bytes.count; status = st
        case .large(let h, let s, let st): hash = h; size = s; status = st
        }
        report.bytes += size

        if let p = file.unchanged, let prepared = file.unchangedSighting, trustPlan {
            // The plan saw these bytes as the document's head and nobody else has written since.
            report.counts["unchanged", default: 0] += 1
            return (prepared.record, KnownRows(blob: p.blob, document: p.document, version: p.version), prepared.rendered)
        }

        var record = SightingRecord(key: file.key, path: file.pathText, pathRaw: file.pathRaw, size: size,
                                    mtime: file.mtime ?? status.mtime, blob: hash, meaning: "")
        record.meta = file.supplied
        var known = KnownRows()
        let document = try archive.db.firstRow("""
            SELECT d.id, v.id, v.hash, b.id, b.hash FROM documents d
            LEFT JOIN versions v ON v.id = d.head LEFT JOIN blobs b ON b.id = v.blob
            WHERE d.key = ?
            """, [file.key]) { (id: $0.int(0), headVersion: $0.optionalInt(1), headVersionHash: $0.optionalText(2),
                                headBlob: $0.optionalInt(3), headBlobHash: $0.optionalText(4)) }
        known.document = document?.id

        // Keyed by URL, one document can be seen at several paths: a path showing the bytes it
        // showed last time is unchanged too (looked up only when the head differs).
        func samePathPrediction() throws -> UnchangedPrediction? {
            guard document != nil, file.key != file.pathText else { return nil }
            return try lastSighting(db: archive.db, key: file.key, path: file.pathText).flatMap { $0.blobHash == hash ? $0.prediction : nil }
        }
        if let document, document.headBlobHash == hash, let head = document.headVersionHash {
            record.meaning = "unchanged"
            record.version = head
            known.blob = document.headBlob
            known.version = document.headVersion
        } else if let samePath = try samePathPrediction() {
            // Keyed by URL: this path shows the bytes it showed last time (another path holds the head).
            record.meaning = "unchanged"
            record.version = samePath.versionHash
            known.blob = samePath.blob
            known.version = samePath.version
        } else {
            let existing = try archive.db.int("SELECT id FROM blobs WHERE hash = ?", hash)
            if let existing {
                known.blob = existing
            } else {
                let stored = try store(file, hash: hash, size: size)
                known.blob = stored.id
                try archive.insertArticle(blob: stored.id, file.metadata)
                report.newBlobs += 1
                report.storedBytes += stored.bytes
            }
            // A new version; its hash follows from key, blob and parents, so only the parents are recorded.
            record.parents = try document.map { try heads(document: $0.id) } ?? []
            if existing == nil {
                record.meaning = document == nil ? "new" : "version"
            } else if let document, try archive.db.int("SELECT 1 FROM versions WHERE document = ? AND blob = ?", document.id, existing) != nil {
                record.meaning = "version"
            } else {
                record.meaning = "duplicate"
            }
        }
        report.counts[record.meaning, default: 0] += 1
        return (record, known, nil)
    }

    /// The hashes of a document's heads (versions no other version names as parent), sorted.
    private func heads(document: Int) throws -> [String] {
        try archive.db.rows("""
            SELECT v.hash FROM versions v WHERE v.document = ?
            AND NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = v.id) ORDER BY v.hash
            """, [document]) { $0.text(0) }
    }

    /// Writes a new blob; returns the bytes it takes in the archive.
    private func store(_ file: PendingFile, hash: String, size: Int) throws -> (id: Int, bytes: Int) {
        if let large = file.largeFile {
            guard let input = fopen(large.path, "rb") else {
                throw QuireError(.io, "cannot read temporary file \(large.path)")
            }
            defer { fclose(input) }
            let writer = try BlobChunkWriter(db: archive.db, hash: hash, size: size, encoding: large.encoding, base: nil, depth: 0)
            var buffer = [UInt8](repeating: 0, count: BlobEncoding.chunkSize)
            while true {
                let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, input) }
                if n == 0 { break }
                try buffer.withUnsafeBytes { try writer.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            try writer.finish()
            let id = writer.id
            return (id, large.size)
        }
        guard case .small(let bytes, _, _) = file.read else {
            throw QuireError(.io, "\(file.pathText): no bytes to store")
        }
        var encoded = file.encoded
        var base: BlobRecord? = nil
        if let e = encoded, e.usedDictionary, let planned = file.base {
            base = try archive.blobs.record(hash: planned.hash)
            if base == nil || base!.depth >= BlobEncoding.maxDepth { encoded = nil; base = nil }
        }
        if encoded == nil {
            encoded = try BlobEncoding.encode(bytes, dictionary: nil, level: options.compressionLevel)
        }
        let e = encoded!
        let id = try archive.insertBlob(hash: hash, size: size, encoding: e.encoding, base: e.usedDictionary ? base?.id : nil,
                                        depth: e.usedDictionary ? (base?.depth ?? 0) + 1 : 0, data: e.data)
        return (id, e.data.count)
    }
}

/// The last sighting of `path` for the document `key`: its version and blob. Used when
/// documents are keyed by URL, where one document can be seen at several paths.
func lastSighting(db: Database, key: String, path: String) throws -> (blobHash: String, prediction: UnchangedPrediction)? {
    try db.firstRow("""
        SELECT s.document, s.version, v.hash, s.blob, b.hash FROM sightings s
        JOIN documents d ON d.id = s.document JOIN versions v ON v.id = s.version JOIN blobs b ON b.id = s.blob
        WHERE s.path = (SELECT id FROM paths WHERE path = ?) AND d.key = ? ORDER BY s.id DESC LIMIT 1
        """, [path, key]) {
        ($0.text(4), UnchangedPrediction(document: $0.int(0), version: $0.int(1), versionHash: $0.text(2), blob: $0.int(3)))
    }
}
