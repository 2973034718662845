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
    /// What was checked: `blob`, `event`, `reference`, `derived` (a table against the events),
    /// `storage`, `version` or `database`.
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
    /// The signed events, the spans no signature covers and the origins whose key changed.
    public var signatures = SignatureFindings()

    public var isClean: Bool { problems.isEmpty }

    public var json: JSON {
        ["mode": .string(mode), "result": .string(isClean ? "clean" : "problems"), "problems": .array(problems.map(\.json)),
         "blobs_checked": .int(Int64(blobsChecked)), "bytes_checked": .int(Int64(bytesChecked)),
         "events_checked": .int(Int64(eventsChecked)), "redacted": .array(redacted.map { .string($0) }),
         "quarantined": .int(Int64(quarantined)), "started": .string(started), "finished": .string(finished),
         "recorded": .bool(recorded), "record_error": JSON(recordError), "signatures": signatures.json]
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

extension Archive {
    /// Verifies the archive (see the file's comment) and, unless `record` is false, records the
    /// run as a `verify` event. `progress` gets the original bytes checked so far and the total;
    /// a quick run, which reads no blob bytes, gets the checks done and their number instead.
    /// With `allowedSigners` (an OpenSSH `allowed_signers` file), every signed event's key must be
    /// listed there for the principal the event names.
    public func verify(quick: Bool = false, record: Bool = true, agent: String = Identity.defaultAgent, allowedSigners: String? = nil,
                       progress: ((_ bytes: Int, _ total: Int) -> Void)? = nil) throws -> VerifyReport {
        if let allowedSigners, !FileManager.default.isReadableFile(atPath: allowedSigners) {
            throw QuireError(.badArgument, "the allowed signers file \(allowedSigners) does not exist or cannot be read")
        }
        let started = Timestamp.now()
        // Three page caches are in use (this connection's, the other thread's and its temporary
        // tables'); the checks read the archive's tables once each, in order, so two of them are
        // kept at half the usual size: at a million articles all three fill, and verify's peak
        // was 149 MB with each at 32 MiB.
        try db.execute("PRAGMA cache_size = -\(Verifier.archiveCacheKiB)")
        defer { try? db.execute("PRAGMA cache_size = -\(Archive.cacheKiB)") }
        // Two groups of checks run at once, each in one read transaction on its own connection:
        // the rebuild of the derived tables on a second thread; the storage facts, the versions,
        // the file, the event chains and the references here. The groups share no rows, so two
        // snapshots are fine. Both threads then share the blob trees.
        var checker = Verifier(db: db, path: path, progress: quick ? nil : progress)
        let steps = quick ? VerifySteps(total: VerifySteps.quickChecks, progress: progress) : nil
        checker.steps = steps
        var graph: BlobGraph? = nil
        var secondary: SecondaryChecks? = nil
        do {
            try db.inTransaction(.deferred) {
                if !quick { checker.guarded("blobs") { graph = try BlobVerification(store: BlobStore(db: $0.db)).loadGraph() } }
                // The total is known before any work: the blob bytes, or the groups of checks.
                if let graph { progress?(0, graph.total) } else if quick { progress?(0, VerifySteps.quickChecks) }
                secondary = SecondaryChecks(path: path, quick: quick, graph: graph, steps: steps)
                try checker.runPrimary(quick: quick, graph: graph)
            }
        } catch let error as DatabaseError {
            checker.problem("database", path, "reading the archive failed: \(error)")
        }
        if let secondary { checker.merge(secondary.wait()) }
        if let graph { checker.checkAllReached(graph) }
        var signatures = SignatureFindings()
        do {
            signatures = try read { try SignatureCheck(db: db, allowedSigners: allowedSigners).run() }
        } catch {
            checker.problem("signature", path, "checking the signatures failed: \(error)")
        }
        for (subject, message) in signatures.problems { checker.problem("signature", subject, message) }
        steps?.done()
        // The two threads find problems in no fixed order; report them in one.
        checker.problems.sort { ($0.area, $0.subject, $0.message) < ($1.area, $1.subject, $1.message) }
        let finished = Timestamp.now()
        var recorded = false
        var recordError: String? = nil
        if record {
            do {
                try write {
                    try events.append(.verify, payload: [
                        "mode": .string(quick ? "quick" : "full"), "result": .string(checker.problems.isEmpty ? "clean" : "problems"),
                        "problems": .int(Int64(checker.problems.count)), "blobs": .int(Int64(checker.blobsChecked)),
                        "bytes": .int(Int64(checker.bytesChecked)), "events": .int(Int64(checker.eventsChecked)),
                        "agent": .string(agent), "host": .string(Identity.host), "tool": .string(Identity.tool), "started": .string(started),
                    ])
                }
                recorded = true
            } catch {
                recordError = "\(error)"
            }
        }
        var report = VerifyReport(mode: quick ? "quick" : "full", problems: checker.problems, blobsChecked: checker.blobsChecked,
                                  bytesChecked: checker.bytesChecked, eventsChecked: checker.eventsChecked, redacted: checker.redacted,
                                  quarantined: checker.quarantined, started: started, finished: finished, recorded: recorded,
                                  recordError: recordError)
        report.signatures = signatures
        return report
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

    func applyVerification(_ event: EventLog.Applied) throws {
        let (eventID, at, payload) = (event.id, event.at, event.payload)
        let archiveID = try events.archiveID(origin: event.origin)
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

/// Runs the rebuild of the derived tables on a thread of its own with its own read-only
/// connection; `wait()` returns what they found.
private final class SecondaryChecks: @unchecked Sendable {
    private var found: Verifier.Findings?
    private let done = DispatchSemaphore(value: 0)

    init(path: String, quick: Bool, graph: BlobGraph?, steps: VerifySteps?) {
        let thread = Thread { [self] in
            var checker = Verifier(db: nil, path: path, progress: nil)
            do {
                let db = try Database(path: path, mode: Archive.readerMode(path))
                try db.execute("PRAGMA cache_size = -\(Verifier.archiveCacheKiB)")
                try DerivedStateCheck.prepare(db)
                checker = Verifier(db: db, path: path, progress: nil)
                checker.steps = steps
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
    /// The page cache of each connection reading the archive's tables (the temporary tables of
    /// the rebuild keep `Archive.cacheKiB`).
    static let archiveCacheKiB = 16384
    /// The connection the checks read (nil only when it could not be opened).
    let db: Database!
    let path: String
    let progress: ((Int, Int) -> Void)?
    var problems: [VerifyProblem] = []
    var blobsChecked = 0, bytesChecked = 0, eventsChecked = 0, quarantined = 0
    var redacted: [String] = []
    /// Counts the groups of checks done (a quick run's progress), shared by both threads.
    var steps: VerifySteps?

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
        defer { steps?.done() }
        do {
            try body(&self)
        } catch let error as DatabaseError {
            problem("database", path, "checking \(area) failed: \(error)")
        } catch {
            problem(area, path, "checking \(area) failed: \(error)")
        }
    }

    /// The storage facts, the versions (quick runs), SQLite's check of the file, the event
    /// chains, the references and the articles rows, then blob trees from `graph`.
    ///
    /// The rebuild of the derived tables (on the other thread) is the longest single check, so
    /// this thread takes every other check before it joins the other in the blob trees.
    mutating func runPrimary(quick: Bool, graph: BlobGraph?) throws {
        guarded("storage") { try $0.checkStorage() }
        // A full run's rebuild remakes every version from the events, its hash computed from its
        // key, blob and parents, and compares it and its parents with the stored rows: that
        // covers this check, which a quick run (no sightings replayed) needs.
        if quick { guarded("versions") { try $0.checkVersions() } }
        guarded("the database file") { try $0.checkIntegrity(quick: quick) }
        guarded("events") { try $0.checkEvents() }
        guarded("references") { try $0.checkReferences() }
        guarded("articles") { try $0.checkArticleRows() }
        if let graph { checkBlobTrees(graph) }
    }

    /// The derived tables rebuilt from the events and compared, then blob trees from `graph`.
    mutating func runSecondary(quick: Bool, graph: BlobGraph?) throws {
        guarded("the derived tables") { try $0.checkDerivedState(quick: quick) }
        if let graph { checkBlobTrees(graph) }
    }

    // MARK: SQLite

    mutating func checkIntegrity(quick: Bool) throws {
        let lines = try db.rows(quick ? "PRAGMA quick_check" : "PRAGMA integrity_check") { $0.text(0) }
        for line in lines where line != "ok" { problem("database", path, line) }
    }

    // MARK: Events

    /// Every origin's hash chain (`EventLog.verifyChains`).
    mutating func checkEvents() throws {
        var found: [(String, String)] = []
        eventsChecked += try EventLog.verifyChains(db: db) { found.append(($0, $1)) }
        for (subject, message) in found { problem("event", subject, message) }
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

    // MARK: Derived tables

    /// The tables the reading commands print, rebuilt from the events and compared with the
    /// stored ones (`DerivedStateCheck`).
    mutating func checkDerivedState(quick: Bool) throws {
        var check = DerivedStateCheck(db: db, path: path, quick: quick)
        try check.run()
        for (subject, message) in check.problems { problem("derived", subject, message) }
        // A full run leaves the versions' hashes to the rebuild; without it they are checked here.
        if !quick, check.replayFailed { try checkVersions() }
    }

    /// The `articles` rows against what they can be checked with without running the
    /// extractors again (`DerivedStateCheck.checkArticles`), named as derived-state problems.
    mutating func checkArticleRows() throws {
        var check = DerivedStateCheck(db: db, path: path, quick: true)
        try check.checkArticles()
        for (subject, message) in check.problems { problem("derived", subject, message) }
    }

    // MARK: Storage

    /// The blob store's storage facts, and that every blob without bytes was redacted by a
    /// recorded redaction.
    mutating func checkStorage() throws {
        var blobs = BlobVerification(store: BlobStore(db: db))
        try blobs.checkFacts()
        for (subject, message) in blobs.problems { problem("blob", subject, message) }
        for hash in blobs.redacted {
            if try db.int("SELECT 1 FROM redactions WHERE blob = ? AND action = 'redact' LIMIT 1", hash) == nil {
                problem("blob", hash, "its bytes are missing, and no redaction of it is recorded")
            } else {
                redacted.append(hash)
            }
        }
        quarantined = try db.int("SELECT count(*) FROM quarantine") ?? 0
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

    /// Checks whole trees of `graph` (see `BlobVerification.checkTrees`) until none is left.
    mutating func checkBlobTrees(_ graph: BlobGraph) {
        var blobs = BlobVerification(store: BlobStore(db: db))
        blobs.checkTrees(graph, progress: progress)
        for (subject, message) in blobs.problems { problem("blob", subject, message) }
        blobsChecked += blobs.blobsChecked
        bytesChecked += blobs.bytesChecked
    }

    /// After every thread is done: blobs no tree reached are in a cycle of bases.
    mutating func checkAllReached(_ graph: BlobGraph) {
        if let (subject, message) = BlobVerification.unreached(graph) { problem("blob", subject, message) }
    }
}

/// The groups of checks a run has done, reported as progress (`done, total`) from either thread.
final class VerifySteps: @unchecked Sendable {
    /// A quick run's groups: storage, versions, the file, events, references, articles, derived tables, signatures.
    static let quickChecks = 8
    private let total: Int
    private let progress: ((Int, Int) -> Void)?
    private let lock = NSLock()
    private var count = 0

    init(total: Int, progress: ((Int, Int) -> Void)?) {
        self.total = total
        self.progress = progress
    }

    func done() {
        lock.lock(); defer { lock.unlock() }
        count += 1
        progress?(min(count, total), total)
    }
}
