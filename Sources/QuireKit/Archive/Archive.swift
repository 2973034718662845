import Foundation
import QuireSchema
import SQLite

/// One Quire archive: an SQLite file holding blobs, documents, versions, sightings, batches and
/// the event log they are derived from.
///
/// Open one with `Archive.open(at:)` (it must exist and be a Quire archive) or make one with
/// `Archive.create(at:)`. Every writing method runs in transactions, so a crash leaves the file
/// as it was before or after a step. A class because it owns the database connection.
public final class Archive {
    /// `PRAGMA application_id` of every Quire archive: the ASCII bytes "QUIR".
    public static let applicationID: Int32 = 0x5155_4952
    /// The schema version this build reads and writes.
    public static var schemaVersion: Int { SchemaMigrations.all.count }
    /// How long a write waits, by default, for another process's write to finish (seconds).
    public static let defaultLockTimeout: Double = 30

    /// The archive file name used when neither `--archive` nor `QUIRE_ARCHIVE` is given.
    public static let defaultFileName = "archive.quire"

    /// Page size of new archives, in bytes. Each new article adds a key to about ten indexes
    /// whose keys are random (hashes, document keys, paths, near-duplicate keys); in a large
    /// archive each key dirties its own page, which a commit writes whole. 8 KiB pages move
    /// fewer bytes than 16 KiB (a probe batch into 300,000 articles: 17% faster, 29% fewer bytes
    /// written; at a million the same time, 13% fewer bytes written and 24% fewer read) for
    /// about 5% more file on small generated articles and none on real text (the re-scrapes'
    /// archive is 8% smaller); 4 KiB pages waste a quarter of the blob chunks' space on 2-4 KiB
    /// records. docs/benchmarks.md, "Page size".
    static let pageSize = 8192
    /// SQLite's page cache per connection, in KiB (memory stays bounded whatever the archive size).
    static let cacheKiB = 32768

    /// The file's path.
    public let path: String
    /// The archive id: a UUID made at init, the origin of every event this copy writes.
    public internal(set) var id: String
    /// The connection. Internal so that QuireKit's parts share it; callers use the methods.
    let db: Database
    /// This archive's row in `origins`.
    internal(set) var selfOrigin: Int
    /// The largest blob a bundle may declare (bytes); a record declaring more is refused before
    /// any work is spent on it. The command line sets it from `QUIRE_MAX_BLOB_SIZE`.
    public var largestIncomingBlob = Archive.defaultLargestIncomingBlob
    /// 4 GiB.
    public static let defaultLargestIncomingBlob = 4 << 30
    /// The operator's SSH key: when set, every batch close, import record, redaction decision and
    /// fork resolution this copy records carries a signature over its chain tip (`SSHSignature`).
    /// The command line sets it from `QUIRE_SIGNING_KEY`.
    public var signingKey: SigningKey?
    /// Told, as each bundle is imported or checked (`bundle import`, pull, sync, clone, drop
    /// folders), its compressed bytes read and their number. The command line draws it.
    public var importProgress: ((_ done: Int, _ total: Int) -> Void)?
    /// Told, as a bundle is sent to a remote that imports it at its end (push and sync over ssh),
    /// the bytes sent so far, and then, with `sent` true, that all of it is on its way and the
    /// remote is importing it. The command line draws it.
    public var sendProgress: ((_ bytes: Int, _ sent: Bool) -> Void)?
    /// Set only on verify's replay (`DerivedStateCheck`): the sightings the events make are
    /// handed to it to compare with the stored ones instead of being written.
    var sightingRows: SightingRowCheck?
    /// While held (`deferringSearchIndex`, `holdSearchRows`): the search-index rows to write when the hold ends.
    var deferredSearchRows: [(rowid: Int, title: String, body: String)]?
    /// The bytes of title and text in `deferredSearchRows`.
    var deferredSearchBytes = 0

    private init(path: String, db: Database) throws {
        self.path = path
        self.db = db
        guard let id = try db.text("SELECT value FROM archive WHERE key = 'archive_id'") else {
            throw QuireError(.notAnArchive, "\(path) has no archive id: it is not a complete Quire archive")
        }
        self.id = id
        guard let origin = try db.int("SELECT id FROM origins WHERE archive = ?", id) else {
            throw QuireError(.corrupt, "\(path): the archive's own origin is missing from the origins table")
        }
        selfOrigin = origin
    }

    /// An archive over a connection of the caller's own, already open on an archive at `path`:
    /// `verify` replays the log through it into temporary tables (`DerivedStateCheck`), while
    /// the archive's own connection goes on with the other checks.
    static func over(_ db: Database, path: String) throws -> Archive {
        try Archive(path: path, db: db)
    }

    /// Opens an existing archive. Fails, leaving the file's bytes as they were, when the file is
    /// missing, is not a Quire archive (another SQLite database, text, empty), or was written by
    /// a newer schema. An older schema is migrated forward unless `readOnly`. A write waits up to
    /// `lockTimeout` seconds for another process's write to finish before it fails.
    public static func open(at path: String, readOnly: Bool = false, lockTimeout: Double = defaultLockTimeout) throws -> Archive {
        try checkHeader(path)
        if readOnly { rollBackInterruptedWrite(path) }
        let db: Database
        do {
            db = try Database(path: path, mode: readOnly ? readerMode(path) : .readWrite,
                              busyTimeout: Int32(clamping: Int((lockTimeout * 1000).rounded())))
            if !readOnly { try db.execute("PRAGMA synchronous = NORMAL") }
            try db.execute("PRAGMA cache_size = -\(cacheKiB)")
            let version = try db.userVersion
            if version > schemaVersion {
                throw QuireError(.newerSchema, "\(path) has schema version \(version), but this quire reads up to version \(schemaVersion): upgrade quire to open it")
            }
            if version < schemaVersion {
                if readOnly {
                    throw QuireError(.newerSchema, "\(path) has schema version \(version) and must be upgraded to \(schemaVersion); open it once for writing")
                }
                try db.migrate(migrations)
            }
            if !readOnly { try indexPayloadReferencesIfMarked(db: db) }
            // A `compact` killed while it rewrote the file with a rollback journal left the file
            // out of WAL mode; the next writer puts it back (it fails harmlessly while another
            // process has the file open, and the next open tries again).
            if !readOnly, try db.journalMode != "wal" { _ = try? db.enableWriteAheadLog() }
        } catch let error as DatabaseError {
            if error.code == DatabaseError.notADatabase {
                throw QuireError(.notAnArchive, "\(path) is not a Quire archive (not an SQLite database)", underlying: error)
            }
            if error.extendedCode == Self.readOnlyRollback {
                throw QuireError(.database, "\(path) holds a write that was interrupted (its rollback journal \(path)-journal is still there), and this process cannot write to the file to undo it: run any quire command that writes, where the file is writable, or copy the file together with its journal", underlying: error)
            }
            if error.code == DatabaseError.readOnly || (!readOnly && access(path, W_OK) != 0) {
                throw QuireError(.database, "cannot write to archive \(path): the archive file or its folder is read-only (reading commands still work)", underlying: error)
            }
            throw QuireError(.database, "cannot open archive \(path)", underlying: error)
        }
        return try Archive(path: path, db: db)
    }

    /// SQLITE_READONLY_ROLLBACK: a hot journal that a read-only connection cannot roll back.
    static let readOnlyRollback: Int32 = 776

    /// A write killed while the file was in rollback-journal mode (a `compact` rewriting the file)
    /// leaves a hot journal next to it. SQLite rolls it back at the next open that can write, and
    /// a read-only connection cannot, so every reading command (verify, search, show) failed until
    /// a writer came. A reader first lets a read-write connection do it, when the file allows; a
    /// journal of a write still going on in another process is not hot, and is left alone.
    static func rollBackInterruptedWrite(_ path: String) {
        var info = stat()
        guard stat(path + "-journal", &info) == 0, info.st_size > 0, access(path, W_OK) == 0 else { return }
        if let db = try? Database(path: path, mode: .readWrite) { _ = try? db.int("SELECT count(*) FROM sqlite_master") }
    }

    /// How a reader opens the archive: normally read-only, but immutable when SQLite's
    /// shared-memory file next to it neither exists nor can be created (read-only media).
    static func readerMode(_ path: String) -> Database.OpenMode {
        if access(path + "-shm", F_OK) == 0 { return .readOnly }
        let directory = (path as NSString).deletingLastPathComponent
        return access(directory.isEmpty ? "." : directory, W_OK) == 0 ? .readOnly : .immutable
    }

    /// Creates a new, empty archive at `path`; fails if anything is there. The file appears
    /// complete or not at all: it is built under a temporary name and linked into place.
    @discardableResult
    public static func create(at path: String, createdBy agent: String = Identity.defaultAgent, lockTimeout: Double = defaultLockTimeout) throws -> Archive {
        if FileManager.default.fileExists(atPath: path) || isSymlink(path) {
            throw QuireError(.archiveExists, "\(path) already exists")
        }
        let directory = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) || !isDirectory.boolValue {
            // Say which folder is missing rather than SQLite's "unable to open database file".
            throw QuireError(.io, "cannot create \(path): the folder \(directory) does not exist (create it first)")
        }
        let prefix = ".\((path as NSString).lastPathComponent).creating-"
        removeStaleCreations(in: directory.isEmpty ? "." : directory, prefix: prefix)
        let temporary = (directory.isEmpty ? "." : directory) + "/" + prefix + "\(getpid())-\(Identity.newUUID())"
        defer { for suffix in ["", "-journal", "-wal", "-shm"] { unlink(temporary + suffix) } }
        do {
            let db = try Database(path: temporary, mode: .create)
            // The page size (see `pageSize`) and auto_vacuum, which lets redaction give space
            // back, must both be chosen before the first table.
            try db.execute("PRAGMA page_size = \(pageSize); PRAGMA auto_vacuum = INCREMENTAL")
            let archiveID = Identity.newUUID()
            try db.migrate(migrations) {
                try db.execute("PRAGMA application_id = \(applicationID)")
            }
            try db.inTransaction {
                let now = Timestamp.now()
                try db.run("INSERT INTO archive (key, value) VALUES ('archive_id', ?), ('created_at', ?), ('created_by', ?), ('created_with', ?)",
                           archiveID, now, agent, Identity.tool)
                // The search index is kept current by every ingest and import from the start.
                try db.run("INSERT INTO archive (key, value) VALUES ('search_index', 'on')")
                try db.run("INSERT INTO origins (archive) VALUES (?)", archiveID)
            }
            guard try db.enableWriteAheadLog() == "wal" else {
                throw QuireError(.database, "cannot create archive \(path): the file system does not support write-ahead logging")
            }
        } catch let error as DatabaseError {
            throw QuireError(.database, "cannot create archive \(path)", underlying: error)
        }
        if link(temporary, path) != 0 {
            let err = errno
            if err == EEXIST { throw QuireError(.archiveExists, "\(path) already exists") }
            throw QuireError(.io, "cannot create archive \(path): \(String(cString: strerror(err)))")
        }
        return try open(at: path, lockTimeout: lockTimeout)
    }

    /// Opens the archive at `path`, creating it first when no file is there. Returns whether it was created.
    public static func openOrCreate(at path: String, lockTimeout: Double = defaultLockTimeout) throws -> (archive: Archive, created: Bool) {
        if !FileManager.default.fileExists(atPath: path) && !isSymlink(path) {
            do {
                return (try create(at: path, lockTimeout: lockTimeout), true)
            } catch let error as QuireError where error.code == .archiveExists {
                // Another process created it first; fall through and open theirs.
            }
        }
        return (try open(at: path, lockTimeout: lockTimeout), false)
    }

    /// Removes what a killed `create` of the same archive left in `directory`: files named
    /// `PREFIX<pid>-<uuid>[-journal|-wal|-shm]` whose process is gone, and files of the older
    /// form `PREFIX<uuid>` not touched for an hour.
    private static func removeStaleCreations(in directory: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            let path = directory + "/" + name
            if let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), rest[..<dash].count < 8 {
                if kill(pid, 0) != 0 && errno == ESRCH { unlink(path) }
            } else {
                var st = stat()
                if stat(path, &st) == 0, time(nil) - st.st_mtim.tv_sec > 3600 { unlink(path) }
            }
        }
    }

    static var migrations: [Migration] {
        SchemaMigrations.all.map { Migration(version: $0.version, name: $0.file, sql: $0.sql) }
    }

    private static func isSymlink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    /// Reads the first 100 bytes of the file and rejects anything that is not a Quire archive
    /// before SQLite touches it: SQLite would happily turn an empty file into a database.
    static func checkHeader(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT { throw QuireError(.archiveMissing, "archive \(path) does not exist (create it with `quire init \(path)` or by ingesting into it)") }
            throw QuireError(.io, "cannot open archive \(path): \(String(cString: strerror(errno)))")
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw QuireError(.notAnArchive, "\(path) is a directory, not a Quire archive") }
        if (st.st_mode & S_IFMT) != S_IFREG {
            throw QuireError(.notAnArchive, "\(path) is not a regular file (a pipe, a device or a socket), not a Quire archive")
        }
        if st.st_size == 0 { throw QuireError(.notAnArchive, "\(path) is an empty file, not a Quire archive") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw QuireError(.io, "cannot read archive \(path): \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
        let magic = Array("SQLite format 3\u{0}".utf8)
        guard header.count == 100, Array(header[0..<16]) == magic else {
            throw QuireError(.notAnArchive, "\(path) is not a Quire archive (not an SQLite database)")
        }
        let appID = header[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard Int32(bitPattern: appID) == applicationID else {
            throw QuireError(.notAnArchive, "\(path) is an SQLite database but not a Quire archive (application_id \(appID))")
        }
    }

    /// Runs `body` in one IMMEDIATE transaction on the archive's database.
    func write<T>(_ body: () throws -> T) throws -> T {
        do {
            return try db.inTransaction(.immediate, body)
        } catch let error as DatabaseError {
            throw QuireError(.database, Self.writeFailure(path, error), underlying: error)
        }
    }

    /// What to tell the user when a write failed: the common causes in words.
    static func writeFailure(_ path: String, _ error: DatabaseError) -> String {
        if error.isFull {
            return "writing to \(path) failed: the disk is full (or the archive reached its size limit). The last step was rolled back; free some space and run the command again"
        }
        if error.code == DatabaseError.readOnly || error.code == DatabaseError.cantOpen {
            return "writing to \(path) failed: the archive file or its folder is read-only"
        }
        if error.isBusy {
            return "writing to \(path) failed: another process is writing to the archive and kept it locked longer than the lock timeout (QUIRE_LOCK_TIMEOUT, default \(Int(defaultLockTimeout)) s). Nothing was changed; run the command again when that process has finished"
        }
        return "writing to \(path) failed"
    }

    /// Runs `body` in one read transaction (one snapshot of the archive), turning database
    /// failures into QuireErrors that name the archive. Inside a write it reads what the write
    /// sees, in the write's transaction.
    func read<T>(_ body: () throws -> T) throws -> T {
        do {
            if db.isInTransaction { return try body() }
            return try db.inTransaction(.deferred, body)
        } catch let error as DatabaseError {
            throw QuireError(.database, "reading \(path) failed", underlying: error)
        }
    }
}
