#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What an export wrote and what it left out.
public struct ExportReport: Sendable {
    public internal(set) var files = 0
    public internal(set) var bytes = 0
    /// Files not written, with why (redacted content, a path that would escape the folder, a name
    /// already taken in this export).
    public internal(set) var skipped: [(path: String, reason: String)] = []
    /// Which of the skipped paths were left out because this copy does not serve their content
    /// (redacted, or in quarantine): expected after a takedown, not a failure of the export.
    public internal(set) var redacted: [String] = []

    public var json: JSON {
        ["files": .int(Int64(files)), "bytes": .int(Int64(bytes)),
         "skipped": .array(skipped.map { ["path": .string($0.path), "reason": .string($0.reason)] }),
         "redacted": .array(redacted.map { .string($0) })]
    }
}

extension Archive {
    /// Writes the selected files under `directory` at their original relative paths, byte for
    /// byte (each checked against its hash as it is written). The directory must be new or empty;
    /// a path that would leave it (`..`, absolute) is refused and reported, as is content this
    /// copy does not serve. `progress` gets the files done and their number.
    public func exportFiles(_ selection: ExportSelection, to directory: String, progress: ((Int, Int) -> Void)? = nil) throws -> ExportReport {
        let items = try exportItems(selection)
        try prepareExportDirectory(directory)
        var report = ExportReport()
        var written = Set<[UInt8]>()
        progress?(0, items.count)
        for (done, item) in items.enumerated() {
            defer { progress?(done + 1, items.count) }
            let name = item.pathRaw ?? Array(item.path.utf8)
            guard let components = Self.safeComponents(name) else {
                report.skipped.append((item.path, "the path would leave the export folder"))
                continue
            }
            guard written.insert(name).inserted else {
                report.skipped.append((item.path, "another file of this export has the same path"))
                continue
            }
            do {
                try writeExportFile(blob: item.blob, directory: directory, components: components)
                report.files += 1
                report.bytes += item.size
            } catch let error as QuireError where error.code == .redacted || error.code == .refused {
                // Redacted content, or a file where another path of the export needs a folder
                // (a file `a` in one folder, a folder `a/` in another): listed, and the export goes on.
                report.skipped.append((item.path, error.message))
                if error.code == .redacted { report.redacted.append(item.path) }
            }
        }
        return report
    }

    /// The path's components when it stays inside the folder it is joined to: no `.` or `..`,
    /// no empty component, no NUL byte. An absolute path (a file ingested by its full name) goes
    /// under the folder too: `/home/ana/a.txt` is written as `home/ana/a.txt`.
    static func safeComponents(_ path: [UInt8]) -> [[UInt8]]? {
        var rest = path[...]
        while rest.first == UInt8(ascii: "/") { rest = rest.dropFirst() }
        let path = Array(rest)
        guard !path.isEmpty, !path.contains(0) else { return nil }
        let parts = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map(Array.init)
        for part in parts where part.isEmpty || part == [UInt8(ascii: ".")] || part == [UInt8(ascii: "."), UInt8(ascii: ".")] { return nil }
        return parts
    }

    /// Creates `directory` if needed; refuses one that already has something in it.
    func prepareExportDirectory(_ directory: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw QuireError(.refused, "\(directory) exists and is not a folder") }
            guard (try? fm.contentsOfDirectory(atPath: directory))?.isEmpty ?? false else {
                throw QuireError(.refused, "\(directory) is not empty: export into a new or empty folder")
            }
        } else {
            do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
                throw QuireError(.io, "cannot create \(directory): \(error.localizedDescription)")
            }
        }
    }

    /// Writes one blob to `directory/components...`, creating folders; never follows a symbolic
    /// link and never replaces an existing file.
    func writeExportFile(blob: String, directory: String, components: [[UInt8]]) throws {
        var path = Array(directory.utf8)
        for (n, component) in components.enumerated() {
            path += [UInt8(ascii: "/")] + component
            let cPath = path + [0]
            if n < components.count - 1 {
                var st = stat()
                if lstat(cPath.map { CChar(bitPattern: $0) }, &st) == 0 {
                    guard (st.st_mode & S_IFMT) == S_IFDIR else {
                        throw QuireError(.refused, "\(String(decoding: path, as: UTF8.self)) is a file written by this export, so nothing can go inside it")
                    }
                } else if mkdir(cPath.map { CChar(bitPattern: $0) }, 0o755) != 0 && errno != EEXIST {
                    throw QuireError(.io, "cannot create \(String(decoding: path, as: UTF8.self)): \(String(cString: strerror(errno)))")
                }
            }
        }
        let cPath = (path + [0]).map { CChar(bitPattern: $0) }
        let fd = Glibc.open(cPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST || errno == EISDIR {
                throw QuireError(.refused, "\(String(decoding: path, as: UTF8.self)) is already taken by a folder or file of this export")
            }
            throw QuireError(.io, "cannot write \(String(decoding: path, as: UTF8.self)): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        do {
            try writeBlob(hash: blob) { piece in
                var offset = 0
                while offset < piece.count {
                    let n = Glibc.write(fd, piece.baseAddress! + offset, piece.count - offset)
                    if n < 0 { if errno == EINTR { continue }; throw QuireError(.io, "writing \(String(decoding: path, as: UTF8.self)) failed: \(String(cString: strerror(errno)))") }
                    offset += n
                }
            }
        } catch {
            unlink(cPath)
            throw error
        }
    }
}
