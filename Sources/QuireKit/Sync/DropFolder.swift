#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Hashing

/// A drop folder (docs/remotes.md): a plain folder that a file-sync engine or an object store
/// (Dropbox, Syncthing, a network share, an rclone remote, an S3 bucket through rclone) carries
/// between machines. The archive never lives there, only bundles:
///
/// ```
/// FOLDER/<archive id>/<sha256 of the file>.bundle    immutable, named by their content
/// FOLDER/<archive id>/state.json                     that copy's state, replaced by rename
/// ```
///
/// Each copy writes only in its own folder, only by adding files under a temporary name (a dot
/// name, which readers ignore) renamed into place, and never rewrites or deletes another copy's
/// files; no locks are needed. Readers take every `*.bundle` file anywhere one level down (a
/// conflict copy such as `x (1).bundle` is the same bytes again, harmless), import each whose
/// earlier bundles they hold, leave the others for a later run (files that arrive late or out of
/// order), and skip those whose content they hold (files seen twice). A file still arriving
/// fails its trailing hash and is tried again next time. What the folder carries is recomputed
/// from the files actually there on every run, so files a sync engine lost are written again.
struct DropFolder {
    let root: String
    let url: String

    /// One bundle file found in the folder, by its header (unchecked until it is used).
    struct Entry {
        let path: String
        /// The path under the folder, for messages.
        let relative: String
        let header: BundleHeader
    }

    /// For each origin a bundle carries events of: the seq it starts after and its last event.
    static func carried(_ header: BundleHeader) -> [(origin: String, after: Int, tip: ArchiveState.Tip)] {
        header.tip.origins.compactMap { origin, tip in
            let after = header.base.seq(origin)
            return tip.seq > after ? (origin, after, tip) : nil
        }
    }

    /// Whether a holder of `state` has every event the bundle carries.
    static func holdsAll(_ state: ArchiveState, of header: BundleHeader) -> Bool {
        carried(header).allSatisfy { state.seq($0.origin) >= $0.tip.seq }
    }

    /// Whether a holder of `state` may import the bundle: it holds the bundle's whole base, not
    /// only the events before those it carries, since the writer left out every blob a holder
    /// of the base has (a bundle made on top of another copy's files needs those files first).
    static func canImport(_ header: BundleHeader, holding state: ArchiveState) -> Bool {
        header.base.origins.allSatisfy { state.seq($0.key) >= $0.value.seq }
    }

    /// What a holder of `state` holds after importing the bundle.
    static func after(_ header: BundleHeader, from state: ArchiveState) -> ArchiveState {
        var out = state
        for c in carried(header) where out.seq(c.origin) < c.tip.seq { out.origins[c.origin] = c.tip }
        return out
    }

    // MARK: Reading the folder

    /// Every bundle file in the folder and one level down, by path. A file whose header cannot
    /// be read is left out (it may still be arriving).
    func scan() throws -> [Entry] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw QuireError(.notFound, "the drop folder \(root) does not exist (make it, or fix the remote's URL); nothing was changed")
        }
        var entries: [Entry] = []
        func look(_ directory: String, _ prefix: String, depth: Int) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
            for name in names.sorted() where !name.hasPrefix(".") {
                let path = directory + "/" + name
                var st = stat()
                guard stat(path, &st) == 0 else { continue }
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    if depth == 0 { look(path, prefix + name + "/", depth: 1) }
                } else if (st.st_mode & S_IFMT) == S_IFREG, name.contains(".bundle"), let header = Self.peekHeader(path) {
                    entries.append(Entry(path: path, relative: prefix + name, header: header))
                }
            }
        }
        look(root, "", depth: 0)
        return entries
    }

    /// A bundle file's header, read without checking the rest (nil when it is not readable).
    static func peekHeader(_ path: String) -> BundleHeader? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let start = try? handle.read(upToCount: 14), start.count == 14, Array(start[0..<8]) == BundleFormat.magic else { return nil }
        let bytes = [UInt8](start)
        let length = bytes[10..<14].reduce(0) { $0 << 8 | Int($1) }
        guard length <= 1 << 20, let text = try? handle.read(upToCount: length), text.count == length,
              let json = try? JSON.parse([UInt8](text)) else { return nil }
        return try? BundleHeader(json: json)
    }

    /// What the folder carries, as far as a copy starting from nothing could import it: the
    /// state reached by importing, in any workable order, every intact bundle whose earlier
    /// bundles are there. `intact` checks a file (its trailing hash) once.
    func coverage(_ entries: [Entry], intact: (Entry) -> Bool) -> ArchiveState {
        var state = ArchiveState()
        var left = entries
        var progressed = true
        while progressed {
            progressed = false
            left.removeAll { entry in
                if Self.holdsAll(state, of: entry.header) { return true }
                guard Self.canImport(entry.header, holding: state) else { return false }
                if intact(entry) { state = Self.after(entry.header, from: state) ; progressed = true }
                return true
            }
        }
        return state
    }

    // MARK: Exchanging

    /// Imports every bundle `archive` can use (`pull`) and adds one bundle of what the folder
    /// lacks (`push`), with this copy's state file.
    func exchange(_ archive: Archive, pull: Bool, push: Bool) throws -> ExchangeReport {
        var report = ExchangeReport(remote: url)
        report.isFolder = true
        report.rounds = 1
        var entries = try scan()
        let own = archive.id
        if pull {
            var done = Set<String>()
            var progressed = true
            while progressed {
                progressed = false
                var state = try archive.state()
                for entry in entries where !done.contains(entry.path) {
                    if entry.header.source == own || Self.holdsAll(state, of: entry.header) { done.insert(entry.path); continue }
                    guard Self.canImport(entry.header, holding: state) else { continue }
                    done.insert(entry.path)
                    do {
                        let imported = try archive.importBundle(at: entry.path, name: "\(entry.relative) in the drop folder \(root)", from: url + "/" + entry.relative)
                        report.received += imported.eventsAdded
                        report.receivedBlobs += imported.blobsAdded
                        report.bytesReceived += imported.header.recordsBytes > 0 ? fileSize(entry.path) : 0
                        report.bundlesImported += 1
                        state = try archive.state()
                        progressed = true
                    } catch let error as QuireError where error.code == .badBundle {
                        report.unusable.append((entry.relative, error.description))
                    }
                }
            }
            let state = try archive.state()
            report.waiting = entries.filter { !done.contains($0.path) && !Self.holdsAll(state, of: $0.header) }.count
        }
        if push {
            entries = try scan()
            var checked: [String: Bool] = [:]
            let carriedNow = coverage(entries) { entry in
                if let known = checked[entry.path] { return known }
                let ok = (try? BundleFile.open(entry.path)) != nil
                checked[entry.path] = ok
                return ok
            }
            let mine = try archive.state()
            let directory = root + "/" + own
            if Archive.hasMore(mine, than: carriedNow) {
                let (name, summary) = try publish(archive, base: carriedNow, in: directory)
                report.published = own + "/" + name
                report.sent += summary.header.events
                report.sentBlobs += summary.header.blobs
                report.bytesSent += summary.bytes
                try archive.noteSent(summary, to: nil, file: url + "/" + own + "/" + name)
            }
            try writeState(mine, in: directory)
        }
        return report
    }

    /// What `archive` would get from the folder and what the folder lacks of it, by the headers
    /// of the files there (nothing is checked or changed).
    func status(_ archive: Archive) throws -> RemoteStatus {
        var status = RemoteStatus(remote: url)
        let entries = try scan()
        let mine = try archive.state()
        var reached = mine
        var left = entries.filter { $0.header.source != archive.id && !Self.holdsAll(mine, of: $0.header) }
        var blobs = 0, blobBytes = 0
        var progressed = true
        while progressed {
            progressed = false
            left.removeAll { entry in
                if Self.holdsAll(reached, of: entry.header) { return true }
                guard Self.canImport(entry.header, holding: reached) else { return false }
                reached = Self.after(entry.header, from: reached)
                blobs += entry.header.blobs
                blobBytes += entry.header.blobBytes
                progressed = true
                return true
            }
        }
        status.toPull.events = reached.origins.reduce(0) { $0 + max(0, $1.value.seq - mine.seq($1.key)) }
        status.toPull.blobs = blobs
        status.toPull.blobBytes = blobBytes
        status.waiting = left.count
        status.toPush = try archive.pending(for: coverage(entries) { _ in true })
        return status
    }

    // MARK: Writing this copy's files

    /// Writes a bundle of everything past `base` into `directory` under a dot name, then renames
    /// it to the SHA-256 of its bytes. Removes this copy's own leftovers of killed runs first.
    private func publish(_ archive: Archive, base: ArchiveState, in directory: String) throws -> (String, BundleSummary) {
        try makeDirectory(directory)
        removeLeftovers(in: directory)
        let temporary = directory + "/.\(getpid())-\(Identity.newUUID()).partial"
        guard let file = fopen(temporary, "wb") else {
            throw QuireError(.io, "cannot write in the drop folder \(directory): \(String(cString: strerror(errno)))")
        }
        var closed = false
        defer { if !closed { fclose(file) }; unlink(temporary) }
        var hasher = SHA256()
        let summary = try archive.writeBundle(base: base) { piece in
            hasher.update(piece)
            if piece.count > 0 && fwrite(piece.baseAddress, 1, piece.count, file) != piece.count {
                throw QuireError(.io, "writing in the drop folder \(directory) failed: \(String(cString: strerror(errno)))")
            }
        }
        let failed = fflush(file) != 0 || fsync(fileno(file)) != 0
        fclose(file)
        closed = true
        let name = hasher.finalize().hex + ".bundle"
        if failed || rename(temporary, directory + "/" + name) != 0 {
            throw QuireError(.io, "cannot write \(name) in the drop folder \(directory): \(String(cString: strerror(errno)))")
        }
        return (name, summary)
    }

    /// Replaces this copy's `state.json` (by rename) when what it says has changed.
    private func writeState(_ state: ArchiveState, in directory: String) throws {
        try makeDirectory(directory)
        let path = directory + "/state.json"
        let text = state.json.pretty + "\n"
        if let old = FileManager.default.contents(atPath: path), old == Data(text.utf8) { return }
        let temporary = directory + "/.\(getpid())-\(Identity.newUUID()).state.partial"
        defer { unlink(temporary) }
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)), rename(temporary, path) == 0 else {
            throw QuireError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    private func makeDirectory(_ directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw QuireError(.io, "cannot make \(directory) in the drop folder: \(error.localizedDescription)")
        }
    }

    /// This copy's own `.PID-UUID.partial` files whose process is gone.
    private func removeLeftovers(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".partial") {
            let digits = name.dropFirst().prefix { $0.isNumber }
            if let pid = Int32(digits), kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + name) }
        }
    }

    private func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }
}
