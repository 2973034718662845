import Deflate
import Dispatch
import Foundation
import Hashing
import SQLite

/// `quire verify`: proves the stored bytes are the captured bytes and the log is intact.
///
/// Full verification decompresses every held blob and hashes it against its address, checks
/// every event's place in its origin's hash chain, every reference between rows, the storage
/// facts (chunk sizes, bases, depths), every version's hash, and SQLite's `integrity_check`.
/// `quick` skips the blob bytes (no decompression, no blob hashing) and uses `quick_check`.
/// Each run is recorded as a `verify` event, which syncs, so every copy can show when each copy
/// was last checked.

/// One thing wrong, named precisely enough to find it.
public struct VerifyProblem: Sendable, Equatable {
    /// What was checked: `blob`, `event`, `reference`, `storage`, `version` or `database`.
    public let area: String
    /// Which one: a blob hash, `origin:seq`, `table row N`, ...
    public let subject: String
    public let message: String

    public var json: JSON { ["area": .string(area), "subject": .string(subject), "message": .string(message)] }
    public var description: String { "\(area) \(subject): \(message)" }
}

/// What a verification run found.
public struct VerifyReport: Sendable {
    /// `full` or `quick`.
    public let mode: String
    public let problems: [VerifyProblem]
    /// Blobs whose bytes were decompressed and hashed.
    public let blobsChecked: Int
    /// Original bytes hashed.
    public let bytesChecked: Int
    public let eventsChecked: Int
    /// Blobs whose bytes were deleted by a redaction (reported, not counted as damage).
    public let redacted: [String]
    /// Blobs held here but hidden by a redaction from another copy.
    public let quarantined: Int
    public let started: String
    public let finished: String
    /// Whether the run was recorded as a `verify` event; when recording failed, why.
    public let recorded: Bool
    public let recordError: String?

    public var isClean: Bool { problems.isEmpty }

    public var json: JSON {
        ["mode": .string(mode), "result": .string(isClean ? "clean" : "problems"), "problems": .array(problems.map(\.json)),
         "blobs_checked": .int(Int64(blobsChecked)), "bytes_checked": .int(Int64(bytesChecked)),
         "events_checked": .int(Int64(eventsChecked)), "redacted": .array(redacted.map { .string($0) }),
         "quarantined": .int(Int64(quarantined)), "started": .string(started), "finished": .string(finished),
         "recorded": .bool(recorded), "record_error": JSON(recordError)]
    }
}

/// One verification run recorded in the log (`quire report`, `quire verify --history`).
public struct VerificationRecord: Sendable, Equatable {
    public let archive: String
    public let at: String
    public let agent: String
    public let host: String
    public let mode: String
    public let result: String
    public let problems: Int
    public let bytes: Int

    public var json: JSON {
        ["archive": .string(archive), "at": .string(at), "agent": .string(agent), "host": .string(host), "mode": .string(mode),
         "result": .string(result), "problems": .int(Int64(problems)), "bytes": .int(Int64(bytes))]
    }
}

extension EventKind {
    /// `{"mode", "result", "problems", "blobs", "bytes", "events", "agent", "host", "tool", "started"}`.
    static let verify = "verify"
}

extension Archive {
    /// Verifies the archive (see the file's comment) and, unless `record` is false, records the
    /// run as a `verify` event. `progress` gets the original bytes checked so far and the total.
    public func verify(quick: Bool = false, record: Bool = true, agent: String = Identity.defaultAgent,
                       progress: ((_ bytes: Int, _ total: Int) -> Void)? = nil) throws -> VerifyReport {
        let started = Timestamp.now()
        // Two groups of checks run at once, each in one read transaction on its own connection:
        // the file, the event chains and the references on a second thread; the storage facts,
        // the versions and the blob bytes here. The groups share no rows, so two snapshots are fine.
        // Both threads then share the blob trees.
        var checker = Verifier(db: db, path: path, progress: progress)
        var graph: BlobGraph? = nil
        var secondary: SecondaryChecks? = nil
        do {
            try db.inTransaction(.deferred) {
                if !quick { checker.guarded("blobs") { graph = try $0.loadBlobGraph() } }
                secondary = SecondaryChecks(path: path, quick: quick, graph: graph)
                try checker.runPrimary(graph: graph)
            }
        } catch let error as DatabaseError {
            checker.problem("database", path, "reading the archive failed: \(error)")
        }
        if let secondary { checker.merge(secondary.wait()) }
        if let graph { checker.checkAllReached(graph) }
        // The two threads find problems in no fixed order; report them in one.
        checker.problems.sort { ($0.area, $0.subject, $0.message) < ($1.area, $1.subject, $1.message) }
        let finished = Timestamp.now()
        var recorded = false
        var recordError: String? = nil
        if record {
            do {
                try write {
                    var tip = try chainTip(origin: selfOrigin)
                    try self.record(kind: EventKind.verify, payload: [
                        "mode": .string(quick ? "quick" : "full"), "result": .string(checker.problems.isEmpty ? "clean" : "problems"),
                        "problems": .int(Int64(checker.problems.count)), "blobs": .int(Int64(checker.blobsChecked)),
                        "bytes": .int(Int64(checker.bytesChecked)), "events": .int(Int64(checker.eventsChecked)),
                        "agent": .string(agent), "host": .string(Identity.host), "tool": .string(Identity.tool), "started": .string(started),
                    ], tip: &tip)
                }
                recorded = true
            } catch {
                recordError = "\(error)"
            }
        }
        return VerifyReport(mode: quick ? "quick" : "full", problems: checker.problems, blobsChecked: checker.blobsChecked,
                            bytesChecked: checker.bytesChecked, eventsChecked: checker.eventsChecked, redacted: checker.redacted,
                            quarantined: checker.quarantined, started: started, finished: finished, recorded: recorded,
                            recordError: recordError)
    }

    /// Every recorded verification run, oldest first.
    public func verifications() throws -> [VerificationRecord] {
        try read {
            try db.rows("SELECT archive, at, agent, host, mode, result, problems, bytes FROM verifications ORDER BY at, id") {
                VerificationRecord(archive: $0.text(0), at: $0.text(1), agent: $0.text(2), host: $0.text(3), mode: $0.text(4),
                                   result: $0.text(5), problems: $0.int(6), bytes: $0.int(7))
            }
        }
    }

    func applyVerification(eventID: Int, origin: Int, at: String, payload: JSON) throws {
        let archiveID = try db.text("SELECT archive FROM origins WHERE id = ?", origin) ?? ""
        let mode = payload["mode"]?.stringValue == "quick" ? "quick" : "full"
        let result = payload["result"]?.stringValue == "clean" ? "clean" : "problems"
        try db.run("""
            INSERT INTO verifications (event, archive, at, agent, host, tool, mode, result, problems, blobs, bytes, events)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, eventID, archiveID, at, payload["agent"]?.stringValue ?? "", payload["host"]?.stringValue ?? "",
            payload["tool"]?.stringValue ?? "", mode, result, payload["problems"]?.intValue ?? 0, payload["blobs"]?.intValue ?? 0,
            payload["bytes"]?.intValue ?? 0, payload["events"]?.intValue ?? 0)
    }
}

/// Runs the file, event and reference checks on a thread of their own with their own read-only
/// connection; `wait()` returns what they found.
private final class SecondaryChecks: @unchecked Sendable {
    private var found: Verifier.Findings?
    private let done = DispatchSemaphore(value: 0)

    init(path: String, quick: Bool, graph: BlobGraph?) {
        let thread = Thread { [self] in
            var checker = Verifier(db: nil, path: path, progress: nil)
            do {
                let db = try Database(path: path, mode: Archive.readerMode(path))
                try db.execute("PRAGMA cache_size = -\(Archive.cacheKiB)")
                checker = Verifier(db: db, path: path, progress: nil)
                try db.inTransaction(.deferred) { try checker.runSecondary(quick: quick, graph: graph) }
            } catch {
                checker.problem("database", path, "reading the archive failed: \(error)")
            }
            found = checker.findings
            done.signal()
        }
        thread.start()
    }

    func wait() -> Verifier.Findings {
        done.wait()
        return found!
    }
}

/// The checks of one run, and what they found.
private struct Verifier {
    /// The connection the checks read (nil only when it could not be opened).
    let db: Database!
    let path: String
    let progress: ((Int, Int) -> Void)?
    var problems: [VerifyProblem] = []
    var blobsChecked = 0, bytesChecked = 0, eventsChecked = 0, quarantined = 0
    var redacted: [String] = []

    init(db: Database?, path: String, progress: ((Int, Int) -> Void)?) {
        self.db = db
        self.path = path
        self.progress = progress
    }

    /// What one group of checks found, to hand across threads.
    struct Findings: Sendable {
        var problems: [VerifyProblem]
        var eventsChecked: Int
        var blobsChecked: Int
        var bytesChecked: Int
    }

    var findings: Findings { Findings(problems: problems, eventsChecked: eventsChecked, blobsChecked: blobsChecked, bytesChecked: bytesChecked) }

    mutating func merge(_ other: Findings) {
        problems += other.problems
        eventsChecked += other.eventsChecked
        blobsChecked += other.blobsChecked
        bytesChecked += other.bytesChecked
    }

    mutating func problem(_ area: String, _ subject: String, _ message: String) {
        problems.append(VerifyProblem(area: area, subject: subject, message: message))
    }

    /// Runs one group of checks; a database failure inside it (a damaged page) becomes a problem
    /// and the other groups still run.
    mutating func guarded(_ area: String, _ body: (inout Verifier) throws -> Void) {
        do {
            try body(&self)
        } catch let error as DatabaseError {
            problem("database", path, "checking \(area) failed: \(error)")
        } catch {
            problem(area, path, "checking \(area) failed: \(error)")
        }
    }

    /// The storage facts, the versions, and blob trees from `graph`.
    mutating func runPrimary(graph: BlobGraph?) throws {
        guarded("storage") { try $0.checkStorage() }
        guarded("versions") { try $0.checkVersions() }
        if let graph { checkBlobTrees(graph) }
    }

    /// SQLite's check of the file, the event chains, the references, then blob trees from `graph`.
    mutating func runSecondary(quick: Bool, graph: BlobGraph?) throws {
        guarded("the database file") { try $0.checkIntegrity(quick: quick) }
        guarded("events") { try $0.checkEvents() }
        guarded("references") { try $0.checkReferences() }
        if let graph { checkBlobTrees(graph) }
    }

    // MARK: SQLite

    mutating func checkIntegrity(quick: Bool) throws {
        let lines = try db.rows(quick ? "PRAGMA quick_check" : "PRAGMA integrity_check") { $0.text(0) }
        for line in lines where line != "ok" { problem("database", path, line) }
    }

    // MARK: Events

    /// Each origin's events are numbered 1, 2, 3, ... and each one's hash covers its fields and
    /// the previous hash. (A payload whose hash checks is the one its origin recorded.)
    mutating func checkEvents() throws {
        var origin = -1
        var previous = Event.genesis
        var expected = 1
        try db.forEach("SELECT e.origin, o.archive, e.seq, e.kind, e.at, e.payload, e.hash, e.payload_size FROM events e JOIN origins o ON o.id = e.origin ORDER BY e.origin, e.seq") { s in
            if s.int(0) != origin {
                origin = s.int(0)
                previous = Event.genesis
                expected = 1
            }
            let (archiveID, seq, kind, at, hash) = (s.text(1), s.int(2), s.text(3), s.text(4), s.text(6))
            let subject = "\(archiveID):\(seq)"
            eventsChecked += 1
            if seq != expected {
                problem("event", subject, "follows event \(expected - 1) of its origin: events \(expected)-\(seq - 1) are missing")
            }
            if let payload = try? EventPayload.text(s, payload: 5, size: 7) {
                if Event.chainHash(previous: previous, origin: archiveID, seq: seq, kind: kind, at: at, payload: payload) != hash {
                    problem("event", subject, "its hash does not match its contents and the previous event's hash (altered, or the chain is broken)")
                }
            } else {
                problem("event", subject, "its compressed payload is damaged: it does not inflate to its recorded size")
            }
            previous = hash
            expected = seq + 1
        }
    }

    // MARK: References

    /// Every foreign key resolves (`PRAGMA foreign_key_check`), and every document's head is one of its versions.
    mutating func checkReferences() throws {
        var columns: [String: [Int: String]] = [:]
        let violations = try db.rows("PRAGMA foreign_key_check") { (table: $0.text(0), row: $0.optionalInt(1), parent: $0.text(2), fk: $0.int(3)) }
        for v in violations {
            if columns[v.table] == nil {
                var map: [Int: String] = [:]
                try db.forEach("SELECT id, \"from\" FROM pragma_foreign_key_list(?)", [v.table]) { map[$0.int(0)] = $0.text(1) }
                columns[v.table] = map
            }
            let column = columns[v.table]?[v.fk] ?? "a column"
            problem("reference", "\(v.table) row \(v.row.map(String.init) ?? "?")", "\(column) refers to a row of \(v.parent) that does not exist")
        }
        try db.forEach("""
            SELECT d.key FROM documents d LEFT JOIN versions v ON v.id = d.head
            WHERE (d.head IS NULL AND EXISTS (SELECT 1 FROM versions x WHERE x.document = d.id)) OR v.document <> d.id
            """) { problem("reference", "document '\($0.text(0))'", "its head is not one of its versions") }
        try db.forEach("""
            SELECT s.id FROM sightings s JOIN versions v ON v.id = s.version WHERE v.blob <> s.blob OR v.document <> s.document
            """) { problem("reference", "sightings row \($0.int(0))", "its blob or document differs from its version's") }
    }

    // MARK: Storage facts

    mutating func checkStorage() throws {
        try db.forEach("""
            SELECT b.hash, b.encoding, b.stored_size, coalesce(sum(length(c.data)), 0), count(c.n), coalesce(max(c.n), -1),
                   EXISTS (SELECT 1 FROM redactions r WHERE r.blob = b.hash AND r.action = 'redact'),
                   EXISTS (SELECT 1 FROM quarantine q WHERE q.blob = b.id)
            FROM blobs b LEFT JOIN blob_chunks c ON c.blob = b.id GROUP BY b.id
            """) { s in
            let (hash, encoding, stored, sum, count, last) = (s.text(0), s.text(1), s.int(2), s.int(3), s.int(4), s.int(5))
            if s.int(7) != 0 { quarantined += 1 }
            switch encoding {
            case "raw", "zlib":
                if sum != stored { problem("blob", hash, "its chunks hold \(sum) bytes but it should have \(stored) stored bytes (chunks missing or altered)") }
                if count != last + 1 { problem("blob", hash, "its chunks are numbered 0-\(last) but there are \(count) (a chunk is missing)") }
            case "redacted":
                if s.int(6) == 0 { problem("blob", hash, "its bytes are missing, and no redaction of it is recorded") }
                else { redacted.append(hash) }
                if count > 0 { problem("blob", hash, "it is redacted but \(count) chunks of it remain") }
            default:
                problem("blob", hash, "unknown encoding '\(encoding)'")
            }
        }
        try db.forEach("""
            SELECT b.hash, p.hash, p.encoding, b.depth, p.depth FROM blobs b JOIN blobs p ON p.id = b.base
            WHERE p.encoding NOT IN ('raw', 'zlib') OR b.depth <> p.depth + 1 OR b.encoding <> 'zlib'
            """) { s in
            problem("blob", s.text(0), "its base \(s.text(1)) is \(s.text(2)) at depth \(s.int(4)), but it is stored at depth \(s.int(3)) against it")
        }
        try db.forEach("SELECT hash, depth FROM blobs WHERE depth > ?", [BlobEncoding.maxDepth]) {
            problem("blob", $0.text(0), "its chain of bases is \($0.int(1)) deep, over the limit of \(BlobEncoding.maxDepth)")
        }
    }

    // MARK: Versions

    /// Every version's hash is the hash of its key, blob and parents.
    mutating func checkVersions() throws {
        try db.forEach("""
            SELECT v.hash, d.key, b.hash,
                   (SELECT group_concat(p.hash, ' ') FROM version_parents vp JOIN versions p ON p.id = vp.parent WHERE vp.version = v.id)
            FROM versions v JOIN documents d ON d.id = v.document JOIN blobs b ON b.id = v.blob
            """) { s in
            let parents = s.optionalText(3)?.split(separator: " ").map(String.init) ?? []
            if versionHash(key: s.text(1), blob: s.text(2), parents: parents) != s.text(0) {
                problem("version", s.text(0), "its hash does not match its document '\(s.text(1))', blob and parents")
            }
        }
    }

    // MARK: Blob bytes

    /// Decompresses every held blob and hashes it. Blobs are visited base first, depth first, so
    /// each dictionary is the prefix just produced by its base, and at most one prefix per level
    /// of the chain is kept.
    /// Loads every held blob's storage facts and which blobs are compressed against which.
    func loadBlobGraph() throws -> BlobGraph {
        let graph = BlobGraph()
        try db.forEach("SELECT \(BlobReader.columns) FROM blobs WHERE encoding IN ('raw', 'zlib') ORDER BY id") { s in
            let blob = BlobReader.record(s)
            graph.blobs[blob.id] = blob
            graph.total += blob.size
            if let base = blob.base { graph.children[base, default: []].append(blob.id) } else { graph.roots.append(blob.id) }
        }
        // A blob whose base is gone is still read (and reported) as if it had none.
        for (base, list) in graph.children where graph.blobs[base] == nil { graph.roots += list }
        return graph
    }

    /// Takes trees of blobs (a self-contained blob and every blob built on it) from `graph` until
    /// none is left, checking each blob base first.
    mutating func checkBlobTrees(_ graph: BlobGraph) {
        while let root = graph.nextRoot() {
            var stack: [(id: Int, dictionary: [UInt8]?, baseProblem: String?)] = [(root, nil, nil)]
            var visited = 0
            let bytesBefore = bytesChecked
            while let (id, dictionary, baseProblem) = stack.popLast() {
                visited += 1
                guard let blob = graph.blobs[id] else { continue }
                let children = graph.children[id] ?? []
                let outcome = checkBlob(blob, dictionary: dictionary, keepPrefix: !children.isEmpty, baseProblem: baseProblem)
                for child in children.reversed() {
                    stack.append((child, outcome.prefix, outcome.ok ? nil : "its base \(blob.hash) is damaged"))
                }
            }
            let done = graph.finished(blobs: visited, bytes: bytesChecked - bytesBefore)
            progress?(done, graph.total)
        }
    }

    /// After both threads are done: blobs no tree reached are in a cycle of bases.
    mutating func checkAllReached(_ graph: BlobGraph) {
        if graph.visited < graph.blobs.count {
            problem("blob", "\(graph.blobs.count - graph.visited) blobs", "their chains of bases form a cycle and cannot be read")
        }
    }

    /// Reads one blob's chunks, inflating with `dictionary`, and compares size and hash.
    mutating func checkBlob(_ blob: BlobRecord, dictionary: [UInt8]?, keepPrefix: Bool, baseProblem: String?) -> (ok: Bool, prefix: [UInt8]) {
        var hasher = SHA256()
        var produced = 0
        var prefix: [UInt8] = []
        func take(_ piece: UnsafeRawBufferPointer) {
            hasher.update(piece)
            if keepPrefix && produced < BlobEncoding.dictionarySize {
                prefix += piece.prefix(BlobEncoding.dictionarySize - produced)
            }
            produced += piece.count
        }
        blobsChecked += 1
        do {
            if blob.encoding == "zlib" {
                let inflater = try Inflater(format: .zlib, dictionary: dictionary, outputLimit: blob.size)
                try BlobReader(db: db).forEachChunk(blob.id) { chunk in
                    let used = try inflater.decompress(chunk, output: take)
                    if used < chunk.count { throw QuireError(.corrupt, "bytes follow the end of its compressed stream") }
                    return true
                }
                try inflater.finish()
            } else {
                try BlobReader(db: db).forEachChunk(blob.id) { take($0); return true }
            }
        } catch {
            let cause = (error as? ZlibError).map { "\($0)" } ?? (error as? QuireError)?.message ?? "\(error)"
            problem("blob", blob.hash, "cannot be decompressed (\(cause))" + (baseProblem.map { "; \($0)" } ?? ""))
            bytesChecked += produced
            return (false, prefix)
        }
        bytesChecked += produced
        let actual = hasher.finalize().hex
        if produced != blob.size {
            problem("blob", blob.hash, "holds \(produced) bytes but should hold \(blob.size)")
            return (false, prefix)
        }
        if actual != blob.hash {
            problem("blob", blob.hash, "its bytes hash to \(actual)" + (baseProblem.map { "; \($0)" } ?? ""))
            return (false, prefix)
        }
        return (true, prefix)
    }
}

/// The blobs to check, shared by the two verifying threads: each takes whole trees (a root and
/// the blobs built on it), so every dictionary is produced by the thread that needs it.
private final class BlobGraph: @unchecked Sendable {
    var blobs: [Int: BlobRecord] = [:]
    var children: [Int: [Int]] = [:]
    var roots: [Int] = []
    var total = 0
    private let lock = NSLock()
    private var next = 0
    private(set) var visited = 0
    private var bytes = 0

    /// The next tree's root, or nil when all are taken.
    func nextRoot() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < roots.count else { return nil }
        next += 1
        return roots[next - 1]
    }

    /// Records a finished tree; returns the bytes checked so far by both threads.
    func finished(blobs count: Int, bytes added: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        visited += count
        bytes += added
        return bytes
    }
}
