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
    /// transactions of a few thousand files (or two seconds of work), so a kill loses at most the
    /// transaction in flight and running the same ingest again completes the work. Files that cannot be read become
    /// `failed` sightings and the rest of the batch goes on.
    public func ingest(paths: [String], options: IngestOptions = IngestOptions(),
                       progress: ((IngestProgress) -> Void)? = nil) throws -> IngestReport {
        try ingest(rawPaths: paths.map { Array($0.utf8) }, options: options, progress: progress)
    }

    /// Checks an ingest's inputs without touching any archive: every one must exist. `ingest`
    /// checks again; calling this first lets a caller refuse before creating an archive.
    public static func checkIngestInputs(rawPaths: [[UInt8]]) throws {
        _ = try InputRoots.plan(rawPaths)
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
    /// Bytes of the input files (counted first when progress is asked for), and walked so far.
    private var totalInputBytes = 0
    private var inputBytes = 0
    /// The batch's row in `batches`.
    private var batchRow: Int?
    /// `PRAGMA data_version` when the ingest started: it changes when another connection commits.
    private var dataVersion: Int?
    /// Whether the preparer's view of the archive can be trusted (no other writer since the start).
    private var trustPlan = true
    /// What the open transaction's chunks hold, and when it began.
    private var uncommitted: (files: Int, bytes: Int, since: DispatchTime) = (0, 0, DispatchTime.now())
    /// The last chunk applied.
    private var appliedThrough = -1
    /// Whether this ingest began a transaction it has not committed or rolled back.
    private var transactionOpen = false
    /// The hand-over from the preparer, told of each commit (its plans of uncommitted chunks are
    /// kept until then).
    private var queue: ChunkQueue<PreparedChunk>?

    init(archive: Archive, options: IngestOptions, progress: ((IngestProgress) -> Void)?) {
        self.archive = archive
        self.options = options
        self.progress = progress
        report = IngestReport(batch: Identity.newUUID(), label: "")
    }

    var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }

    mutating func run(inputs given: [[UInt8]]) throws -> IngestReport {
        // Every input must exist before anything is recorded: a mistyped path leaves no batch.
        let inputs = try InputRoots.plan(given)
        let label = options.label ?? defaultLabel(inputs)
        report = IngestReport(batch: report.batch, label: label)
        let startedAt = Timestamp.now()
        let inputTexts = inputs.map { PathText.display(InputRoots.absolute($0.path, cwd: Array(FileManager.default.currentDirectoryPath.utf8))).text }
        var open: [String: JSON] = [
            "id": .string(report.batch), "label": .string(label), "agent": .string(options.agent ?? Identity.defaultAgent),
            "host": .string(Identity.host), "tool": .string(Identity.tool), "inputs": .array(inputTexts.map { .string($0) }),
            "started": .string(startedAt),
        ]
        if let source = options.source { open["source"] = .string(source) }
        if let note = options.note { open["note"] = .string(note) }
        try archive.events.record(.batchOpen, payload: .object(open))
        batchRow = try archive.read { try archive.db.int("SELECT id FROM batches WHERE uuid = ?", report.batch) }
        dataVersion = try archive.read { try archive.db.int("PRAGMA data_version") }

        // The progress has a total: the bytes of every file the walk will meet (a WARC file's
        // records are not known before it is read; its bytes are).
        if progress != nil {
            var counter = Walker(inputs: inputs, includeHidden: options.includeHidden, followSymlinks: options.followSymlinks)
            while let item = counter.next() { if case .file(let status) = item.kind { totalInputBytes += status.size } }
            progress?(IngestProgress(files: 0, bytes: 0, elapsed: elapsed, inputBytes: 0, totalInputBytes: totalInputBytes))
        }
        // A background thread prepares chunks (walk, read, hash, compress) while this one commits.
        let queue = ChunkQueue<PreparedChunk>(capacity: 1)
        self.queue = queue
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
                // The open transaction is committed before waiting for the next chunk: the write
                // lock is never held while the preparer works (another writer could wait minutes
                // behind a large file), and an ingest the preparer paces commits every chunk.
                if options.commitWhileWaiting, !queue.hasItem { try commitApplied() }
                switch queue.take() {
                case .end: break loop
                case .failure(let error):
                    // The chunks applied before are good: keep them, as a chunk per transaction did
                    // (if that commit fails too, the preparer's error is the one to report).
                    try? commitApplied()
                    throw error
                case .element(let chunk):
                    defer { chunk.removeTemporaryFiles() }
                    report.skipped += chunk.skipped
                    report.metadataReads += chunk.metadataReads
                    let before = (files: report.files, bytes: report.bytes)
                    try apply(chunk.files)
                    appliedThrough = chunk.index
                    uncommitted.files += report.files - before.files
                    uncommitted.bytes += report.bytes - before.bytes
                    if transactionFull { try commitApplied() }
                    inputBytes = chunk.inputBytes
                    reportProgress()
                }
                // What the chunk's files took is free now, spread over the threads' arenas.
                Memory.returnFreePages()
            }
            try commitApplied()
        } catch {
            if archive.db.isInTransaction { try? archive.db.execute("ROLLBACK") }
            transactionOpen = false
            archive.dropHeldSearchRows()
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
        try archive.events.record(.batchClose, payload: [
            "id": .string(report.batch), "finished": .string(Timestamp.now()), "counts": counts,
            "files": .int(Int64(report.files)), "bytes": .int(Int64(report.bytes)),
        ])
        progress?(IngestProgress(files: report.files, bytes: report.bytes, elapsed: report.seconds,
                                 inputBytes: totalInputBytes, totalInputBytes: totalInputBytes))
        return report
    }

    /// The date and what was given: each folder's name, and the files given by name with the
    /// folder holding them (`2026-03-27 day-1, day-2`; `2026-03-27 11 files in tech`); past
    /// three names, how many more.
    private func defaultLabel(_ inputs: [InputRoots.Input]) -> String {
        func name(_ path: [UInt8]) -> String {
            let text = PathText.display(path).text
            return text.split(separator: "/").last.map(String.init) ?? text
        }
        var parts = inputs.filter { $0.relative.isEmpty }.map { name($0.root) }
        let files = inputs.filter { !$0.relative.isEmpty }
        if let first = files.first {
            parts.append(files.count == 1 ? name(first.relative) : "\(files.count) files in \(name(first.root))")
        }
        let shown = parts.count > 3 ? parts.prefix(3).joined(separator: ", ") + " and \(parts.count - 3) more" : parts.joined(separator: ", ")
        return "\(Timestamp.now().prefix(10)) \(shown)"
    }

    private mutating func reportProgress() {
        let now = DispatchTime.now()
        if now.uptimeNanoseconds - lastProgress.uptimeNanoseconds > 100_000_000 {
            lastProgress = now
            progress?(IngestProgress(files: report.files, bytes: report.bytes, elapsed: elapsed,
                                     inputBytes: min(inputBytes, totalInputBytes), totalInputBytes: totalInputBytes))
        }
    }

    // MARK: - Commit

    /// Applies a chunk in the ingest's open write transaction, begun here when there is none; it
    /// is committed by `commitApplied` when its chunks are big or old enough (`IngestOptions.commitFiles`).
    /// A kill loses at most the uncommitted chunks, and running the ingest again completes the work.
    private mutating func apply(_ chunk: [IngestFile]) throws {
        do {
            if !transactionOpen {
                try archive.db.execute("BEGIN IMMEDIATE")
                transactionOpen = true
                archive.holdSearchRows()
                uncommitted = (0, 0, DispatchTime.now())
                // Another process's commit changes data_version; then every decision is looked up again.
                if try archive.db.int("PRAGMA data_version") != dataVersion { trustPlan = false }
            }
            guard !chunk.isEmpty, let batchRow else { return }
            // One event holds the chunk's sightings; each is applied as it is decided, so the
            // next file sees the documents and versions the previous ones made. The search-index
            // rows are held until the commit (`commitApplied`).
            var chunkReport = report
            try archive.events.appendBuilt(.sightings) { eventID, at in
                try applyChunk(chunk, batch: batchRow, eventID: eventID, at: at, report: &chunkReport)
            }
            report = chunkReport
        } catch let error as DatabaseError {
            throw QuireError(.database, Archive.writeFailure(archive.path, error), underlying: error)
        }
    }

    /// Whether the open transaction's chunks reached one of the limits (`IngestOptions.commitFiles`).
    private var transactionFull: Bool {
        uncommitted.files >= options.commitFiles || uncommitted.bytes >= options.commitBytes
            || archive.deferredSearchBytes >= options.commitSearchTextBytes
            || Double(DispatchTime.now().uptimeNanoseconds - uncommitted.since.uptimeNanoseconds) / 1e9 >= options.commitSeconds
    }

    /// Commits the chunks applied since the last commit, if any, with their held search-index
    /// rows, and tells the preparer they are committed.
    private mutating func commitApplied() throws {
        guard transactionOpen else { return }
        do {
            // SQLite rolls a transaction back by itself after some failures (a full disk, an I/O
            // error): then the chunks applied are lost, and the ingest must not go on as if not.
            guard archive.db.isInTransaction else {
                transactionOpen = false
                throw QuireError(.database, "writing to \(archive.path) failed: the transaction was rolled back; run the command again")
            }
            try archive.writeHeldSearchRows()
            try archive.db.execute("COMMIT")
            transactionOpen = false
            queue?.markCommitted(appliedThrough)
        } catch let error as DatabaseError {
            throw QuireError(.database, Archive.writeFailure(archive.path, error), underlying: error)
        }
    }

    /// Decides and applies each file of a chunk in turn; returns the sightings event's payload.
    private func applyChunk(_ chunk: [IngestFile], batch: Int, eventID: Int, at: String, report: inout IngestReport) throws -> String {
        var items: [[UInt8]] = []
        items.reserveCapacity(chunk.count)
        for file in chunk {
            let (record, known, rendered) = try decide(file, report: &report)
            try archive.applySighting(record, batch: batch, eventID: eventID, at: at, known: known)
            if let rendered {
                items.append(rendered)
            } else {
                var text: [UInt8] = []
                record.writeCanonical(to: &text)
                items.append(text)
            }
        }
        return SightingRecord.eventPayload(batch: report.batch, rendered: items)
    }

    /// Decides what one file's sighting means (`SightingDecider`, from the archive as it is in
    /// this transaction), storing its bytes if they are new. Returns the sighting, the rows it
    /// refers to, and its canonical JSON when the preparer already made it.
    private func decide(_ file: IngestFile, report: inout IngestReport) throws -> (SightingRecord, KnownRows, [UInt8]?) {
        report.files += 1
        if file.fromWARC { report.records += 1 }
        if file.pendingRevisit {
            // A revisit whose payload is nowhere yet: its facts, and what it refers to, are kept.
            var record = SightingRecord(key: file.key, path: file.pathText, mtime: file.mtime, meaning: .pending)
            record.meta = file.supplied
            record.partial = file.partial
            report.counts[SightingMeaning.pending.rawValue, default: 0] += 1
            report.pending.append(.init(path: file.pathText, reason: file.supplied?.last(where: { $0.first == "warc_quirk" })?.last ?? "pending"))
            return (record, KnownRows(), nil)
        }
        let hash: String, size: Int, status: FileSystem.Status
        switch file.content {
        case .failed(let reason)?:
            return failed(file, reason, report: &report)
        case nil:
            return failed(file, "not read", report: &report)
        case .small(let bytes, let h, let st)?: hash = h; size = bytes.count; status = st
        case .large(let h, let s, let st)?: hash = h; size = s; status = st
        }
        report.bytes += size

        if case .unchanged(let p, let rendered?) = file.plan, trustPlan {
            // The plan saw these bytes as the document's head and nobody else has written since.
            report.counts[SightingMeaning.unchanged.rawValue, default: 0] += 1
            return (rendered.record, KnownRows(blob: p.blob, document: p.document, version: p.version), rendered.json)
        }

        var record = SightingRecord(key: file.key, path: file.pathText, pathRaw: file.pathRaw, size: size,
                                    mtime: file.mtime ?? status.mtime, blob: hash, meaning: .unchanged)
        record.meta = file.supplied
        record.partial = file.partial
        record.root = file.root
        var known = KnownRows()
        let db = archive.db
        let document = try SightingFacts.document(db: db, key: file.key)
        known.document = document?.id
        let head = document.flatMap { d in
            d.head.map { h in (blob: h.blobHash, rows: UnchangedPrediction?.some(UnchangedPrediction(document: d.id, version: h.version, versionHash: h.versionHash, blob: h.blob))) }
        }
        let outcome = try SightingDecider.outcome(hash: hash, key: file.key, path: file.pathText, head: head) {
            try SightingFacts.lastSighting(db: db, key: file.key, path: file.pathText)
        }
        switch outcome {
        case .unchanged(let rows):
            guard let rows else { throw QuireError(.corrupt, "\(file.pathText): the archive's view of an unchanged file lacks its rows") }
            record.version = rows.versionHash
            known.blob = rows.blob
            known.version = rows.version
        case .changes:
            var existing = try archive.blobs.record(hash: hash)
            if let stub = existing, stub.form == .redacted, try archive.mayTakeBytesAgain(stub) {
                // Another copy redacted these bytes; this copy's own capture is kept, in quarantine,
                // until its operator reinstates or purges it.
                let stored = try store(file, hash: hash, size: size, filling: stub)
                try archive.insertArticle(blob: stub.id, articleMetadata(file, report: &report), replacing: true)
                try archive.quarantineRefilled(stub)
                report.storedBytes += stored.bytes
                report.quarantined.append(.init(path: file.pathText, reason: "its bytes were redacted in another copy; they are kept here in quarantine (quire reinstate \(hash) serves them)"))
                existing = nil
                known.blob = stub.id
            } else if let existing {
                known.blob = existing.id
            } else {
                let stored = try store(file, hash: hash, size: size)
                known.blob = stored.id
                try archive.insertArticle(blob: stored.id, articleMetadata(file, report: &report))
                report.newBlobs += 1
                report.storedBytes += stored.bytes
            }
            // A new version; its hash follows from key, blob and parents, so only the parents are recorded.
            record.parents = try document.map { try heads(document: $0.id) } ?? []
            record.meaning = SightingDecider.meaning(documentExists: document != nil)
            record.held = existing != nil
            if existing != nil { report.alreadyStored += 1 }
        }
        report.counts[record.meaning.rawValue, default: 0] += 1
        return (record, known, nil)
    }

    /// The metadata of a file whose bytes this commit stores: as the preparer read it, or read
    /// now when the preparer skipped it because an earlier chunk was to store the same bytes
    /// (`ChunkPreparer.extractAll`) and that chunk did not.
    private func articleMetadata(_ file: IngestFile, report: inout IngestReport) -> ArticleMetadata? {
        if let metadata = file.metadata { return metadata }
        guard case .small(let bytes, _, _)? = file.content, bytes.count <= articleExtractionLimit else { return nil }
        report.metadataReads += 1
        return MetadataExtractor.extract(bytes).droppingText()
    }

    /// The sighting of a file that could not be read.
    private func failed(_ file: IngestFile, _ reason: String, report: inout IngestReport) -> (SightingRecord, KnownRows, [UInt8]?) {
        var record = SightingRecord(key: file.key, path: file.pathText, pathRaw: file.pathRaw, meaning: .failed, error: reason)
        record.meta = file.supplied
        record.root = file.root
        if case .file(let st) = file.item.kind { record.size = st.size; record.mtime = st.mtime }
        report.counts[SightingMeaning.failed.rawValue, default: 0] += 1
        report.failures.append(.init(path: file.pathText, reason: reason))
        return (record, KnownRows(), nil)
    }

    /// The hashes of a document's heads (versions no other version names as parent), sorted.
    private func heads(document: Int) throws -> [String] {
        try archive.db.rows("""
            SELECT v.hash FROM versions v WHERE v.document = ?
            AND NOT EXISTS (SELECT 1 FROM version_parents p WHERE p.parent = v.id) ORDER BY v.hash
            """, [document]) { $0.text(0) }
    }

    /// Writes a new blob through the blob store (into `filling`, a redacted row of it, when
    /// given); returns its row and the bytes it takes.
    private func store(_ file: IngestFile, hash: String, size: Int, filling stub: BlobRecord? = nil) throws -> (id: Int, bytes: Int) {
        if case .encodedFile(let path, let compressed) = file.plan {
            let stored = try archive.blobs.put(hash: hash, size: size, storedFormFile: path, compressed: compressed, filling: stub)
            return (stored.id, stored.stored)
        }
        guard case .small(let bytes, _, _)? = file.content else {
            throw QuireError(.io, "\(file.pathText): no bytes to store")
        }
        let encoded: EncodedBlob
        if case .encoded(let e) = file.plan { encoded = e } else { encoded = try BlobEncoding.plain(bytes, level: options.compressionLevel) }
        let stored = try archive.blobs.put(hash: hash, bytes: bytes, encoded: encoded, level: options.compressionLevel, filling: stub)
        return (stored.id, stored.stored)
    }
}
