#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What `clone` made.
public struct CloneReport: Sendable {
    public let path: String
    public let archiveID: String
    /// The `origin` remote's URL (nil for a clone of a bundle file, which is not a remote).
    public let origin: String?
    public let exchange: ExchangeReport?
    public let events: Int
    public let blobs: Int

    public var json: JSON {
        ["archive": .string(path), "archive_id": .string(archiveID), "origin": JSON(origin), "events": .int(Int64(events)),
         "blobs": .int(Int64(blobs)), "bytes_received": .int(Int64(exchange?.bytesReceived ?? 0))]
    }
}

extension Archive {
    /// Makes a new copy at `path` (default: the source's last name with `.quire`, in the current
    /// folder) of an archive file, an ssh remote, a drop folder or a bundle file. The copy has an
    /// archive id of its own, and the source (but a bundle file) becomes its remote `origin`. The
    /// copy is built under a temporary name beside `path` and appears there only when complete:
    /// a failure or a kill leaves no archive at `path` (a killed clone's leftover is removed by
    /// the next clone into the same folder).
    /// `importProgress` is the new copy's (`Archive.importProgress`).
    public static func clone(from source: String, to path: String? = nil, remoteQuire: String? = nil,
                             lockTimeout: Double = defaultLockTimeout,
                             importProgress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws -> CloneReport {
        let location = try RemoteLocation(parsing: source, allowBundle: true)
        let destination = path ?? location.baseName + ".quire"
        if FileManager.default.fileExists(atPath: destination) {
            throw QuireError(.archiveExists, "\(destination) already exists: clone into a path that is not there yet (quire clone SOURCE PATH)")
        }
        let folder = (destination as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? "." : folder
        let prefix = ".\((destination as NSString).lastPathComponent).cloning-"
        removeStaleClones(in: directory, prefix: prefix)
        let temporary = directory + "/" + prefix + "\(getpid())-\(Identity.newUUID())"
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) } }

        var origin: String? = nil
        var exchange: ExchangeReport? = nil
        var id = ""
        do {
            let archive = try create(at: temporary, lockTimeout: lockTimeout)
            id = archive.id
            archive.importProgress = importProgress
            if case .bundleFile(let bundle) = location {
                _ = try archive.importBundle(at: bundle)
            } else {
                let url = Self.absoluteURL(source, location)
                origin = url
                try archive.addRemote(Remote(name: "origin", url: url, remoteQuire: remoteQuire))
                var target = try RemoteTarget.resolve("origin", in: archive, remoteQuire: remoteQuire)
                target.lockTimeout = lockTimeout
                exchange = try archive.pull(from: target)
            }
        }
        // The archive is closed here (its write-ahead log folded in), so the one file is the whole copy.
        if link(temporary, destination) != 0 {
            let err = errno
            if err == EEXIST { throw QuireError(.archiveExists, "\(destination) already exists (made while the clone ran); the clone was not kept") }
            throw QuireError(.io, "cannot put the clone at \(destination): \(String(cString: strerror(err)))")
        }
        let clone = try open(at: destination, lockTimeout: lockTimeout)
        let counts = try clone.read { (try clone.db.int("SELECT count(*) FROM events") ?? 0, try clone.db.int("SELECT count(*) FROM blobs") ?? 0) }
        return CloneReport(path: destination, archiveID: id, origin: origin, exchange: exchange, events: counts.0, blobs: counts.1)
    }

    /// A local path in a URL made absolute, so the remote still works from another folder.
    private static func absoluteURL(_ source: String, _ location: RemoteLocation) -> String {
        switch location {
        case .archiveFile(let path): return resolvedPath(path)
        case .folder(let path): return source.hasPrefix("folder:") ? "folder:" + resolvedPath(path) : resolvedPath(path)
        case .ssh, .bundleFile: return source
        }
    }

    /// Removes clones killed before they finished: `PREFIX<pid>-<uuid>[-wal|-shm|-journal]`
    /// whose process is gone.
    private static func removeStaleClones(in directory: String, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            if let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), kill(pid, 0) != 0 && errno == ESRCH {
                unlink(directory + "/" + name)
            }
        }
    }
}
