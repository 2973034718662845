/// One step of a schema: SQL that takes the database from `version - 1` to `version`.
/// A shipped migration is never edited; a change to the schema is a new migration.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

extension Database {
    /// The schema version stored in the file header (`PRAGMA user_version`).
    public var userVersion: Int {
        get throws { try int("PRAGMA user_version") ?? 0 }
    }

    /// The application id stored in the file header (`PRAGMA application_id`).
    public var applicationID: Int32 {
        get throws { Int32(truncatingIfNeeded: try int("PRAGMA application_id") ?? 0) }
    }

    /// Applies the migrations newer than `user_version`, in order, in one IMMEDIATE transaction,
    /// and sets `user_version` to the last one. `prepare` runs first inside the same transaction
    /// (for example to stamp `application_id`). Returns the versions before and after.
    ///
    /// Foreign keys are not enforced while the migrations run, so one may rebuild a table others
    /// refer to (SQLite's documented way to change a table's columns); `PRAGMA foreign_key_check`
    /// must then find nothing wrong before the transaction commits.
    @discardableResult
    public func migrate(_ migrations: [Migration], prepare: (() throws -> Void)? = nil) throws -> (from: Int, to: Int) {
        precondition(migrations.map(\.version) == Array(1...migrations.count), "migrations must be numbered 1, 2, 3, ...")
        let enforced = try int("PRAGMA foreign_keys") == 1
        if enforced { try execute("PRAGMA foreign_keys = OFF") }
        defer { if enforced { try? execute("PRAGMA foreign_keys = ON") } }
        return try inTransaction(.immediate) {
            let current = try userVersion
            if current >= migrations.count { return (current, current) }
            try prepare?()
            for migration in migrations where migration.version > current {
                do {
                    try execute(migration.sql)
                } catch let error as DatabaseError {
                    throw DatabaseError(code: error.code, extendedCode: error.extendedCode,
                                        message: "migration \(migration.version) (\(migration.name)): \(error.message)", sql: error.sql)
                }
            }
            if let broken = try firstRow("PRAGMA foreign_key_check", [], { "\($0.text(0)) row \($0.int(1)) refers to a missing \($0.text(2)) row" }) {
                throw DatabaseError(code: DatabaseError.constraint, message: "migrations to version \(migrations.count) left \(broken)",
                                    sql: "PRAGMA foreign_key_check")
            }
            try execute("PRAGMA user_version = \(migrations.count)")
            return (current, migrations.count)
        }
    }
}
