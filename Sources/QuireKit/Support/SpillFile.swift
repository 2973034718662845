#if canImport(Glibc)
import Glibc
#endif

/// A scratch file for bytes that do not fit in memory: appended to, read back by offset, and gone
/// when closed or when the process dies (it has no name: `O_TMPFILE`, or a file unlinked at once
/// where the file system lacks that). A class because it owns the descriptor.
final class SpillFile {
    private let fd: Int32
    private var end = 0

    /// Makes the file in `directory`.
    init(in directory: String) throws {
        // O_TMPFILE (Linux): __O_TMPFILE | O_DIRECTORY; Glibc's module does not export the macro.
        let temporaryFile: Int32 = 0o20000000 | O_DIRECTORY
        var fd = open(directory, temporaryFile | O_RDWR | O_CLOEXEC, 0o600)
        if fd < 0 {
            let path = directory + "/.quire-spill-\(getpid())-\(Identity.newUUID())"
            fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
            if fd >= 0 { unlink(path) }
        }
        guard fd >= 0 else { throw QuireError(.io, "cannot make a scratch file in \(directory): \(String(cString: strerror(errno)))") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The path the open file can be reopened by (`/proc/self/fd/N`), for code that takes a path.
    var path: String { "/proc/self/fd/\(fd)" }

    /// Appends `bytes`; returns the offset they start at.
    func append(_ bytes: [UInt8]) throws -> Int {
        let offset = end
        try bytes.withUnsafeBytes { try write($0, at: offset) }
        end += bytes.count
        return offset
    }

    /// Writes `bytes` at the end.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        try write(bytes, at: end)
        end += bytes.count
    }

    private func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw QuireError(.io, "writing a scratch file failed: \(String(cString: strerror(errno)))") }
            done += n
        }
    }

    /// `count` bytes from `offset`.
    func read(at offset: Int, count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw QuireError(.io, "reading a scratch file failed") }
            done += n
        }
        return out
    }

    /// Bytes written so far.
    var size: Int { end }
}
