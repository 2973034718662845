internal import CSQLite

/// A prepared statement (`sqlite3_stmt`), finalized when released.
///
/// Bind parameters, then call `step()` until it returns false, reading columns of each row.
/// Statements from `Database.cached(_:)` are reset and kept for reuse.
public final class Statement {
    let handle: OpaquePointer
    /// The SQL text this statement was prepared from.
    public let sql: String
    unowned let database: Database

    init(database: Database, sql: String) throws {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(database.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw database.error(rc, sql: sql)
        }
        handle = stmt
        self.sql = sql
        self.database = database
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Resets the statement and binds `values` to its parameters in order (`?1`, `?2`, ...).
    @discardableResult
    public func bind(_ values: [any DatabaseValueConvertible]) throws -> Statement {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (i, value) in values.enumerated() {
            try bind(value.databaseValue, at: Int32(i + 1))
        }
        return self
    }

    /// Resets the statement and binds `values` to its parameters in order.
    @discardableResult
    public func bind(_ values: any DatabaseValueConvertible...) throws -> Statement {
        try bind(values)
    }

    private func bind(_ value: DatabaseValue, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .null:
            rc = sqlite3_bind_null(handle, index)
        case .integer(let v):
            rc = sqlite3_bind_int64(handle, index, v)
        case .real(let v):
            rc = sqlite3_bind_double(handle, index, v)
        case .text(let v):
            // The length is given, so text holding a NUL is stored whole (not cut at the NUL).
            var text = v
            rc = text.withUTF8 { utf8 in
                guard let base = utf8.baseAddress, utf8.count > 0 else { return sqlite3_bind_text(handle, index, "", 0, SQLITE_TRANSIENT) }
                return sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(utf8.count), SQLITE_TRANSIENT)
            }
        case .blob(let v):
            rc = v.withUnsafeBytes { bytes in
                // A zero-length blob must still be a blob, not NULL: give SQLite a valid pointer.
                sqlite3_bind_blob(handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count), SQLITE_TRANSIENT)
            }
        }
        guard rc == SQLITE_OK else { throw database.error(rc, sql: sql) }
    }

    /// Advances to the next row. Returns true when a row is available, false when done.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs the statement to completion, ignoring any rows.
    public func run() throws {
        while try step() {}
        sqlite3_reset(handle)
    }

    /// Runs the statement with `values` bound, ignoring any rows.
    public func run(_ values: any DatabaseValueConvertible...) throws {
        try bind(values)
        try run()
    }

    /// Resets the statement so it can run again; bindings are kept.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// The number of columns in a result row.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The name of column `i`.
    public func columnName(_ i: Int) -> String {
        String(cString: sqlite3_column_name(handle, Int32(i)))
    }

    /// Whether column `i` of the current row is NULL.
    public func isNull(_ i: Int) -> Bool {
        sqlite3_column_type(handle, Int32(i)) == SQLITE_NULL
    }

    /// Column `i` as an integer (0 for NULL).
    public func int(_ i: Int) -> Int {
        Int(sqlite3_column_int64(handle, Int32(i)))
    }

    /// Column `i` as an integer, or nil for NULL.
    public func optionalInt(_ i: Int) -> Int? {
        isNull(i) ? nil : int(i)
    }

    /// Column `i` as a real number.
    public func double(_ i: Int) -> Double {
        sqlite3_column_double(handle, Int32(i))
    }

    /// Column `i` as text ("" for NULL). Invalid UTF-8 is repaired with U+FFFD.
    public func text(_ i: Int) -> String {
        guard let p = sqlite3_column_text(handle, Int32(i)) else { return "" }
        let n = Int(sqlite3_column_bytes(handle, Int32(i)))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// Column `i` as text, or nil for NULL.
    public func optionalText(_ i: Int) -> String? {
        isNull(i) ? nil : text(i)
    }

    /// Column `i` as bytes (empty for NULL).
    public func blob(_ i: Int) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(handle, Int32(i)))
        guard n > 0, let p = sqlite3_column_blob(handle, Int32(i)) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    /// Column `i` as bytes, or nil for NULL.
    public func optionalBlob(_ i: Int) -> [UInt8]? {
        isNull(i) ? nil : blob(i)
    }

    /// Calls `body` with column `i`'s bytes without copying them; valid only inside `body`.
    public func withBlob<T>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let n = Int(sqlite3_column_bytes(handle, Int32(i)))
        let p = sqlite3_column_blob(handle, Int32(i))
        return try body(UnsafeRawBufferPointer(start: n > 0 ? p : nil, count: n))
    }

    /// Column `i` as a `DatabaseValue`.
    public func value(_ i: Int) -> DatabaseValue {
        switch sqlite3_column_type(handle, Int32(i)) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, Int32(i)))
        case SQLITE_FLOAT: return .real(double(i))
        case SQLITE_TEXT: return .text(text(i))
        case SQLITE_BLOB: return .blob(blob(i))
        default: return .null
        }
    }
}

/// `SQLITE_TRANSIENT`: SQLite copies bound text and blobs before the call returns.
let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
