#if canImport(Glibc)
import Glibc
#endif

/// Writes the file at `path` so that it appears complete or not at all: under a temporary name
/// beside it, flushed to disk, then renamed into place (a failure leaves no file behind).
/// `body` gets a function that appends bytes; what `body` returns is returned.
public func writeFileAtomically<T>(_ path: String, _ body: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> T) throws -> T {
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
