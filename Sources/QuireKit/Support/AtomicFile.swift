#if canImport(Glibc)
import Glibc
#endif

/// Refuses an output path that is already taken: any existing file unless `replace` (the
/// command's `--force`), and, even then, a folder or an SQLite database (an archive is never
/// replaced by an output: `bundle create team.quire` for `sync team.quire` loses nothing).
public func checkOutputPath(_ path: String, replace: Bool) throws {
    var st = stat()
    guard lstat(path, &st) == 0 else { return }
    if (st.st_mode & S_IFMT) == S_IFDIR {
        throw QuireError(.refused, "\(path) is a folder; nothing was written")
    }
    if (st.st_mode & S_IFMT) == S_IFREG, let file = fopen(path, "rb") {
        var magic = [UInt8](repeating: 0, count: 16)
        let n = fread(&magic, 1, 16, file)
        fclose(file)
        if n == 16, magic == Array("SQLite format 3\u{0}".utf8) {
            throw QuireError(.refused, "\(path) is an SQLite database (a Quire archive?): an output never replaces one, even with --force; nothing was written")
        }
    }
    if !replace {
        throw QuireError(.refused, "\(path) already exists; give --force to replace it (nothing was written)")
    }
}

/// Writes the file at `path` so that it appears complete or not at all: under a temporary name
/// beside it, flushed to disk, then renamed into place (a failure leaves no file behind). An
/// existing file at `path` is refused unless `replace` (see `checkOutputPath`). `body` gets a
/// function that appends bytes; what `body` returns is returned.
public func writeFileAtomically<T>(_ path: String, replace: Bool = false, _ body: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> T) throws -> T {
    try checkOutputPath(path, replace: replace)
    let temporary = path + ".partial-" + Identity.newUUID()
    guard let file = fopen(temporary, "wb") else {
        throw QuireError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
    }
    var closed = false
    defer {
        if !closed { fclose(file) }
        unlink(temporary)
    }
    let result = try body { piece in
        if piece.count > 0 && fwrite(piece.baseAddress, 1, piece.count, file) != piece.count {
            throw QuireError(.io, "writing \(path) failed: \(String(cString: strerror(errno)))")
        }
    }
    let failed = fflush(file) != 0 || fsync(fileno(file)) != 0
    fclose(file)
    closed = true
    if failed || rename(temporary, path) != 0 {
        throw QuireError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
    }
    return result
}
