#if canImport(Glibc)
import Glibc
#endif
import Deflate
import Hashing

/// Reading one file for ingest: its bytes (when small) and SHA-256, in one pass.
enum FileReader {
    /// A file read for ingest.
    enum Result {
        /// A small file: its bytes are in memory.
        case small(bytes: [UInt8], hash: String, status: FileSystem.Status)
        /// A large file: hashed while streaming; its bytes are read again when stored.
        case large(hash: String, size: Int, status: FileSystem.Status)
        /// The file could not be read.
        case failed(String)
    }

    static let bufferSize = 1024 * 1024

    /// Opens and reads `path`, keeping the bytes when the file is at most `memoryLimit` bytes.
    static func read(_ path: [UInt8], memoryLimit: Int) -> Result {
        let opened: (FileSystem.File, FileSystem.Status)
        switch FileSystem.File.openRegular(path) {
        case .failure(let error): return .failed(error.message)
        case .success(let value): opened = value
        }
        let (file, status) = opened
        var hasher = SHA256()
        if status.size <= memoryLimit {
            // Read one byte more than stat said, to notice a file that grew.
            var bytes = [UInt8](repeating: 0, count: status.size + 1)
            var filled = 0
            while true {
                if filled == bytes.count { bytes.append(contentsOf: [UInt8](repeating: 0, count: max(4096, bytes.count))) }
                let result = bytes.withUnsafeMutableBytes { raw in
                    file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
                }
                var atEnd = false
                switch result {
                case .failure(let error): return .failed("read failed: \(error.message)")
                case .success(let n):
                    filled += n
                    // A read of exactly the size stat gave, short of the extra byte asked for, is the
                    // end of a regular file: no second read needed. Otherwise read until 0.
                    atEnd = n == 0 || (filled == status.size && filled < bytes.count)
                }
                if atEnd {
                    bytes.removeSubrange(filled...)
                    if bytes.count > memoryLimit { return .failed("file grew beyond \(memoryLimit) bytes while being read; try again") }
                    bytes.withUnsafeBytes { hasher.update($0) }
                    return .small(bytes: bytes, hash: hasher.finalize().hex, status: status)
                }
            }
        }
        var size = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            switch file.read(into: buffer) {
            case .failure(let error): return .failed("read failed: \(error.message)")
            case .success(0): return .large(hash: hasher.finalize().hex, size: size, status: status)
            case .success(let n):
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                size += n
            }
        }
    }

    /// Streams a large file through zlib into a temporary file next to the archive, checking that
    /// its bytes still hash to `expectedHash`. When compression does not help, the temporary file
    /// holds the raw bytes instead. Returns whether it holds a zlib stream, and its size.
    static func encodeLarge(_ path: [UInt8], expectedHash: String, temporaryPath: String, level: Int32) -> Swift.Result<(compressed: Bool, size: Int), FileSystem.FileError> {
        guard let out = fopen(temporaryPath, "wb") else { return .failure(FileSystem.FileError(errno: errno)) }
        var closed = false
        defer { if !closed { fclose(out) } }
        func write(_ piece: UnsafeRawBufferPointer) throws {
            if piece.count > 0 && fwrite(piece.baseAddress, 1, piece.count, out) != piece.count {
                throw FileSystem.FileError(errno: errno)
            }
        }
        func pass(compress: Bool) -> Swift.Result<Int, FileSystem.FileError> {
            let file: FileSystem.File
            switch FileSystem.File.openRegular(path) {
            case .failure(let error): return .failure(error)
            case .success(let value): file = value.0
            }
            var hasher = SHA256()
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 16)
            defer { buffer.deallocate() }
            do {
                let deflater = compress ? try Deflater(level: level) : nil
                var total = 0
                while true {
                    switch file.read(into: buffer) {
                    case .failure(let error): return .failure(error)
                    case .success(0):
                        try deflater?.finish(output: write)
                        guard hasher.finalize().hex == expectedHash else {
                            return .failure(FileSystem.FileError(message: "file changed while being read; try again"))
                        }
                        return .success(deflater?.totalOut ?? total)
                    case .success(let n):
                        let piece = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                        hasher.update(piece)
                        total += n
                        if let deflater { try deflater.compress(piece, output: write) } else { try write(piece) }
                    }
                }
            } catch let error as FileSystem.FileError {
                return .failure(error)
            } catch {
                return .failure(FileSystem.FileError(message: "\(error)"))
            }
        }
        switch pass(compress: true) {
        case .failure(let error): return .failure(error)
        case .success(let compressedSize):
            var st = stat()
            let originalSize = FileSystem.withCString(path) { stat($0, &st) } == 0 ? Int(st.st_size) : Int.max
            if compressedSize < originalSize {
                fclose(out); closed = true
                return .success((true, compressedSize))
            }
        }
        // Compression did not help: keep the raw bytes instead.
        rewind(out)
        _ = ftruncate(fileno(out), 0)
        switch pass(compress: false) {
        case .failure(let error): return .failure(error)
        case .success(let size):
            fclose(out); closed = true
            return .success((false, size))
        }
    }
}
