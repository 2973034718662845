/// A failed SQLite call: the result code, SQLite's message, and the SQL that failed.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    /// The primary result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, ...).
    public let code: Int32
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, ...).
    public let extendedCode: Int32
    /// SQLite's message (`sqlite3_errmsg`), or this wrapper's.
    public let message: String
    /// The statement that failed, when there was one.
    public let sql: String?

    public init(code: Int32, extendedCode: Int32? = nil, message: String, sql: String? = nil) {
        self.code = code
        self.extendedCode = extendedCode ?? code
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var text = "SQLite error \(extendedCode): \(message)"
        if let sql { text += " (in: \(sql.count > 200 ? String(sql.prefix(200)) + "…" : sql))" }
        return text
    }

    // The result codes callers test for, mirrored here so that no C type leaks out.
    public static let error: Int32 = 1
    public static let busy: Int32 = 5
    public static let locked: Int32 = 6
    public static let readOnly: Int32 = 8
    public static let interrupt: Int32 = 9
    public static let ioError: Int32 = 10
    public static let corrupt: Int32 = 11
    public static let full: Int32 = 13
    public static let cantOpen: Int32 = 14
    public static let constraint: Int32 = 19
    /// The library was used in a way it does not allow (`SQLITE_MISUSE`).
    public static let misuse: Int32 = 21
    public static let notADatabase: Int32 = 26

    /// Whether the failure is a full disk or a page-count cap (`SQLITE_FULL`).
    public var isFull: Bool { code == Self.full }
    /// Whether another connection holds a lock that outlasted the busy timeout.
    public var isBusy: Bool { code == Self.busy || code == Self.locked }
}
