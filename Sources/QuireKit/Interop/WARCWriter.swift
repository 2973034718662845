import Deflate

/// Writes WARC 1.1 records, each as one gzip member (so that any record can be read on its own
/// from its offset, as replay tools do), and says where each landed: the member's offset and
/// length in the file, which a CDX index names.
struct WARCWriter {
    /// Bytes written so far: the next record's offset.
    private(set) var offset = 0
    private let level: Int32

    init(level: Int32 = 6) { self.level = level }

    /// Writes one record: the version line, `headers`, Content-Length, an empty line, the block
    /// (which `block` passes, in pieces, to the function it is given; it must come to `length`
    /// bytes) and the closing CRLF CRLF. Returns the member's offset and length.
    mutating func write(_ headers: [(String, String)], length: Int, to emit: (UnsafeRawBufferPointer) throws -> Void,
                        block: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> (offset: Int, length: Int) {
        let deflater = try Deflater(level: level, format: .gzip)
        var head = "WARC/1.1\r\n"
        for (name, value) in headers { head += "\(name): \(Self.fieldValue(value))\r\n" }
        head += "Content-Length: \(length)\r\n\r\n"
        let start = offset
        var produced = 0
        // `block` calls back into `emit`; Swift lets a non-escaping function be used inside a
        // closure only through withoutActuallyEscaping.
        try withoutActuallyEscaping(emit) { emit in
            let counted: (UnsafeRawBufferPointer) throws -> Void = { piece in
                produced += piece.count
                try emit(piece)
            }
            try deflater.compress(Array(head.utf8), output: counted)
            var written = 0
            try block { piece in
                written += piece.count
                try deflater.compress(piece, output: counted)
            }
            guard written == length else { throw QuireError(.corrupt, "a WARC record's block was \(written) bytes, not \(length)") }
            try deflater.compress(Array("\r\n\r\n".utf8), output: counted)
            try deflater.finish(output: counted)
        }
        offset += produced
        return (start, produced)
    }

    /// Writes a record whose block is in memory.
    mutating func write(_ headers: [(String, String)], block: [UInt8], to emit: (UnsafeRawBufferPointer) throws -> Void) throws -> (offset: Int, length: Int) {
        try write(headers, length: block.count, to: emit) { body in try block.withUnsafeBytes { try body($0) } }
    }

    /// A header value on one line: line ends (which a recorded value should not hold) become spaces.
    static func fieldValue(_ value: String) -> String {
        value.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) ? String(value.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 }) : value
    }
}
