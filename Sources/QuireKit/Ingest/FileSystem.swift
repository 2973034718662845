#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the POSIX calls ingest uses, working on raw path bytes so that file names
/// that are not UTF-8 survive exactly.
enum FileSystem {
    /// What `lstat`/`fstat` said about a file.
    struct Status {
        enum Kind { case regular, directory, symlink, other(String) }
        let kind: Kind
        let size: Int
        let mtimeSeconds: Int
        let mtimeNanoseconds: Int
        /// Device and inode, to notice directory cycles when following symbolic links.
        let device: UInt64
        let inode: UInt64

        init(_ st: stat) {
            switch st.st_mode & S_IFMT {
            case S_IFREG: kind = .regular
            case S_IFDIR: kind = .directory
            case S_IFLNK: kind = .symlink
            case S_IFIFO: kind = .other("a FIFO")
            case S_IFSOCK: kind = .other("a socket")
            case S_IFCHR: kind = .other("a character device")
            case S_IFBLK: kind = .other("a block device")
            default: kind = .other("not a regular file")
            }
            size = Int(st.st_size)
            mtimeSeconds = Int(st.st_mtim.tv_sec)
            mtimeNanoseconds = Int(st.st_mtim.tv_nsec)
            device = UInt64(st.st_dev)
            inode = UInt64(st.st_ino)
        }

        var mtime: String { Timestamp.formatFileTime(seconds: mtimeSeconds, nanoseconds: mtimeNanoseconds) }
    }

    /// `lstat(2)`, or `stat(2)` when `follow`; the errno text on failure.
    static func status(_ path: [UInt8], follow: Bool) -> Result<Status, FileError> {
        var st = stat()
        let rc = withCString(path) { follow ? stat($0, &st) : lstat($0, &st) }
        if rc != 0 { return .failure(FileError(errno: errno)) }
        return .success(Status(st))
    }

    /// The names in a directory (`opendir`/`readdir`), without `.` and `..`, sorted by their bytes.
    static func list(_ path: [UInt8]) -> Result<[[UInt8]], FileError> {
        guard let dir = withCString(path, { opendir($0) }) else { return .failure(FileError(errno: errno)) }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { return .failure(FileError(errno: errno)) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
                let bytes = raw.bindMemory(to: UInt8.self)
                return Array(bytes.prefix(while: { $0 != 0 }))
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            names.append(name)
        }
        names.sort { $0.lexicographicallyPrecedes($1) }
        return .success(names)
    }

    /// Calls `body` with `path` as a NUL-terminated C string.
    static func withCString<T>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
        var bytes = path
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
    }

    /// An open file descriptor, closed when released.
    final class File {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        deinit { close(fd) }

        /// Opens a path for reading without blocking on FIFOs and refuses anything but a regular file.
        static func openRegular(_ path: [UInt8]) -> Result<(File, Status), FileError> {
            let fd = withCString(path) { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }
            if fd < 0 { return .failure(FileError(errno: errno)) }
            let file = File(fd: fd)
            var st = stat()
            if fstat(fd, &st) != 0 { return .failure(FileError(errno: errno)) }
            let status = Status(st)
            switch status.kind {
            case .regular: return .success((file, status))
            case .directory: return .failure(FileError(message: "is a directory"))
            case .symlink: return .failure(FileError(message: "is a symbolic link"))
            case .other(let what): return .failure(FileError(message: "not a regular file (\(what))"))
            }
        }

        /// Reads up to `count` bytes into `buffer`; returns the count read (0 at end of file).
        func read(into buffer: UnsafeMutableRawBufferPointer) -> Result<Int, FileError> {
            while true {
                let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
                if n >= 0 { return .success(n) }
                if errno == EINTR { continue }
                return .failure(FileError(errno: errno))
            }
        }
    }

    /// A file-system failure with the reason in words.
    struct FileError: Error {
        let message: String
        init(errno code: Int32) { message = String(cString: strerror(code)) }
        init(message: String) { self.message = message }
    }
}
