internal import CSQLite
internal import CSearchRank

/// One connection to an SQLite database file (`sqlite3*`), closed when released.
///
/// Writes go through `inTransaction`, which takes the write lock at once (`BEGIN IMMEDIATE`) and
/// rolls back if its body throws. Connections are opened with foreign keys on and a busy timeout,
/// so two processes writing one file wait for each other instead of failing.
public final class Database {
    /// How to open the file.
    public enum OpenMode: Sendable {
        /// Read only; the file must exist.
        case readOnly
        /// Read and write; the file must exist.
        case readWrite
        /// Read and write, creating the file when it does not exist.
        case create
        /// Read only, from a file nobody changes while it is open (read-only media, a folder
        /// where the `-shm` file cannot be created): SQLite's `immutable=1` URI parameter.
        case immutable
    }

    /// How a transaction takes its locks.
    public enum TransactionKind: String, Sendable {
        /// Takes the write lock at the first write (for read-only transactions).
        case deferred = "DEFERRED"
        /// Takes the write lock at once, so a write never fails half-way on a busy database.
        case immediate = "IMMEDIATE"
    }

    let handle: OpaquePointer
    /// The path the database was opened from.
    public let path: String
    private var statementCache: [String: Statement] = [:]
    /// Statements `withStatement` has prepared and is not using now, by SQL text.
    private var statementPool: [String: [Statement]] = [:]
    private var savepointDepth = 0
    /// Whether `presence_bm25` is registered on this connection (`registerPresenceBM25`).
    private var presenceBM25Registered = false

    /// Opens the database at `path`. `busyTimeout` is how long (milliseconds) to wait for
    /// another connection's lock before failing with `SQLITE_BUSY`.
    public init(path: String, mode: OpenMode = .readWrite, busyTimeout: Int32 = 30_000) throws {
        _ = Self.configured
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch mode {
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .immutable: flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI
        }
        var name = path
        if mode == .immutable {
            // A URI names the file: '%', '?' and '#' in the path must be escaped.
            var escaped = ""
            for c in path.unicodeScalars {
                switch c {
                case "%": escaped += "%25"
                case "?": escaped += "%3F"
                case "#": escaped += "%23"
                default: escaped.unicodeScalars.append(c)
                }
            }
            name = "file:" + escaped + "?immutable=1"
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(name, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open database"
            sqlite3_close_v2(db)
            throw DatabaseError(code: rc & 0xff, extendedCode: rc, message: message)
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, busyTimeout)
        sqlite3_extended_result_codes(db, 1)
        try execute("PRAGMA foreign_keys = ON")
    }

    /// Switches the file to write-ahead logging (`PRAGMA journal_mode = WAL`), which lets readers
    /// and one writer work at once. The mode is stored in the file. Returns the mode now in effect.
    @discardableResult
    public func enableWriteAheadLog() throws -> String {
        try text("PRAGMA journal_mode = WAL") ?? ""
    }

    /// The journal mode in effect (`wal`, `delete`, ...).
    public var journalMode: String {
        get throws { try text("PRAGMA journal_mode") ?? "" }
    }

    deinit {
        statementCache.removeAll()
        statementPool.removeAll()
        sqlite3_close_v2(handle)
    }

    func error(_ rc: Int32, sql: String?) -> DatabaseError {
        DatabaseError(code: rc & 0xff, extendedCode: rc, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// Runs one or more SQL statements that return no rows of interest (`sqlite3_exec`).
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw DatabaseError(code: rc & 0xff, extendedCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// A new prepared statement for `sql`.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// A prepared statement for `sql`, kept for reuse by later calls with the same text.
    public func cached(_ sql: String) throws -> Statement {
        if let statement = statementCache[sql] {
            statement.reset()
            return statement
        }
        let statement = try Statement(database: self, sql: sql)
        statementCache[sql] = statement
        return statement
    }

    /// Lends `body` a prepared statement for `sql` that nothing else uses until `body` returns,
    /// then keeps it for the next call. Unlike `cached`, calls may nest (a blob read inside the
    /// read of another blob): a nested call with the same SQL gets a statement of its own.
    public func withStatement<T>(_ sql: String, _ body: (Statement) throws -> T) throws -> T {
        let statement = try statementPool[sql]?.popLast() ?? Statement(database: self, sql: sql)
        defer {
            statement.reset()
            statementPool[sql, default: []].append(statement)
        }
        return try body(statement)
    }

    /// Runs `sql` with `values` bound, ignoring any rows.
    public func run(_ sql: String, _ values: any DatabaseValueConvertible...) throws {
        try cached(sql).bind(values).run()
    }

    /// Runs `sql` with `values` bound and calls `row` for each result row.
    public func forEach(_ sql: String, _ values: [any DatabaseValueConvertible] = [], row: (Statement) throws -> Void) throws {
        let statement = try cached(sql).bind(values)
        defer { statement.reset() }
        while try statement.step() { try row(statement) }
    }

    /// Runs `sql` and maps each row with `transform`.
    public func rows<T>(_ sql: String, _ values: [any DatabaseValueConvertible] = [], _ transform: (Statement) throws -> T) throws -> [T] {
        var out: [T] = []
        try forEach(sql, values) { out.append(try transform($0)) }
        return out
    }

    /// The first row of `sql` mapped with `transform`, or nil when there is none.
    public func firstRow<T>(_ sql: String, _ values: [any DatabaseValueConvertible] = [], _ transform: (Statement) throws -> T) throws -> T? {
        let statement = try cached(sql).bind(values)
        defer { statement.reset() }
        return try statement.step() ? transform(statement) : nil
    }

    /// The first column of the first row of `sql` as an integer, or nil for no row or NULL.
    public func int(_ sql: String, _ values: any DatabaseValueConvertible...) throws -> Int? {
        try firstRow(sql, values) { $0.optionalInt(0) } ?? nil
    }

    /// The first column of the first row of `sql` as text, or nil for no row or NULL.
    public func text(_ sql: String, _ values: any DatabaseValueConvertible...) throws -> String? {
        try firstRow(sql, values) { $0.optionalText(0) } ?? nil
    }

    /// The rowid of the last inserted row (`sqlite3_last_insert_rowid`).
    public var lastInsertRowID: Int { Int(sqlite3_last_insert_rowid(handle)) }

    /// Makes the FTS5 ranking function `presence_bm25(TABLE, PHRASES)` available on this
    /// connection (once): bm25 for a contentless index that keeps only row ids (`detail=none`),
    /// whose own `bm25()` is always 0 there (CSearchRank). Done on first need, not at open: most
    /// commands never rank.
    public func registerPresenceBM25() throws {
        guard !presenceBM25Registered else { return }
        let rc = quire_register_presence_bm25(handle)
        guard rc == SQLITE_OK else { throw DatabaseError(code: rc, message: "cannot register the FTS5 function presence_bm25") }
        presenceBM25Registered = true
    }

    /// How many transactions this connection has committed since `countCommits()` (nil before).
    public private(set) var commitCount: Int?

    /// Starts counting this connection's commits in `commitCount` (`sqlite3_commit_hook`): how
    /// work is split into transactions, which tests check.
    public func countCommits() {
        commitCount = 0
        sqlite3_commit_hook(handle, { context in
            let db = Unmanaged<Database>.fromOpaque(context!).takeUnretainedValue()
            db.commitCount = (db.commitCount ?? 0) + 1
            return 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Rows changed by the last statement (`sqlite3_changes64`).
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// Whether a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws. A
    /// transaction cannot be nested: starting one while one is open is an error (`misuse`), so a
    /// caller never believes it committed what an outer transaction may still roll back. Use
    /// `inSavepoint` for a step inside a transaction that must be undone on its own.
    public func inTransaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        if isInTransaction {
            throw DatabaseError(code: DatabaseError.misuse, extendedCode: DatabaseError.misuse,
                                message: "a \(kind.rawValue) transaction was started inside an open transaction (use inSavepoint)")
        }
        try execute("BEGIN \(kind.rawValue)")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Runs `body` in a savepoint inside the open transaction: if it throws, what it did is
    /// undone and the transaction goes on. Outside a transaction it is an error (`misuse`).
    public func inSavepoint<T>(_ body: () throws -> T) throws -> T {
        guard isInTransaction else {
            throw DatabaseError(code: DatabaseError.misuse, extendedCode: DatabaseError.misuse,
                                message: "a savepoint needs an open transaction")
        }
        savepointDepth += 1
        let name = "quire_sp\(savepointDepth)"
        defer { savepointDepth -= 1 }
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE \(name)")
            return result
        } catch {
            try? execute("ROLLBACK TO \(name); RELEASE \(name)")
            throw error
        }
    }

    /// Process-wide settings, made once before the first connection opens: no memory statistics
    /// (`SQLITE_CONFIG_MEMSTATUS`), whose global mutex made connections on different threads wait
    /// for each other.
    private static let configured: Bool = {
        _ = quire_sqlite3_disable_memory_statistics()
        return true
    }()

    /// The SQLite library version (`sqlite3_libversion`).
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    /// Interrupts a running query on this connection (`sqlite3_interrupt`).
    public func interrupt() { sqlite3_interrupt(handle) }
}
