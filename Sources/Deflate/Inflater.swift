internal import CZlib

/// A streaming decompressor over zlib's `inflate`.
///
/// Feed compressed input with `decompress`; decompressed bytes come out through the `output`
/// closure in pieces. `finish` says whether the stream ended properly. Damaged data is an error,
/// never a crash; input that stops early is `truncated`; output beyond `outputLimit` stops at once
/// (a guard against decompression bombs). Every call either consumes input or fails, so a
/// damaged stream cannot make it spin.
public final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let dictionary: [UInt8]?
    private let outputLimit: Int
    private var buffer: [UInt8]
    private let format: DeflateFormat
    /// Whether the end of the compressed stream has been reached.
    public private(set) var isAtEnd = false
    /// Total compressed bytes consumed so far (up to the end of the stream).
    public private(set) var totalIn = 0
    /// Total decompressed bytes produced so far.
    public private(set) var totalOut = 0

    /// A decompressor. `dictionary` is the preset dictionary the stream was compressed with, if any;
    /// `outputLimit` caps the total decompressed size.
    public init(format: DeflateFormat = .zlib, dictionary: [UInt8]? = nil, outputLimit: Int = .max) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        self.dictionary = dictionary.map { Array($0.suffix(32 * 1024)) }
        self.outputLimit = outputLimit
        self.format = format
        // No bigger than the output can be: a new buffer is zeroed, and many streams are small blobs.
        buffer = [UInt8](repeating: 0, count: outputLimit < 64 * 1024 ? max(outputLimit + 1, 1024) : 64 * 1024)
        let rc = inflateInit2_(stream, format.windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deallocate()
            throw ZlibError(kind: .library, code: rc, message: "cannot start decompression", operation: "inflateInit2")
        }
        if format == .raw, let dict = self.dictionary, !dict.isEmpty {
            let rc = dict.withUnsafeBufferPointer { inflateSetDictionary(stream, $0.baseAddress, UInt32($0.count)) }
            guard rc == Z_OK else {
                inflateEnd(stream)
                stream.deallocate()
                throw ZlibError(kind: .library, code: rc, message: "cannot set the preset dictionary", operation: "inflateSetDictionary")
            }
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Decompresses `input`, passing decompressed bytes to `output`. Returns how many input bytes
    /// were consumed: fewer than `input.count` only when the stream ended inside `input`.
    @discardableResult
    public func decompress(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        if isAtEnd { return 0 }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(input.count)
        defer { stream.pointee.next_in = nil; stream.pointee.avail_in = 0 }
        while true {
            let (rc, produced) = buffer.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = UInt32(out.count)
                let rc = inflate(stream, Z_NO_FLUSH)
                return (rc, out.count - Int(stream.pointee.avail_out))
            }
            if produced > 0 {
                totalOut += produced
                if totalOut > outputLimit {
                    throw ZlibError(kind: .outputLimitExceeded, code: 0,
                                    message: "decompressed data exceeds the limit of \(outputLimit) bytes", operation: "inflate")
                }
                try buffer.withUnsafeBytes { try output(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            }
            switch rc {
            case Z_OK:
                if stream.pointee.avail_in == 0 && produced < buffer.count { return finishCall(input) }
            case Z_STREAM_END:
                isAtEnd = true
                return finishCall(input)
            case Z_NEED_DICT:
                guard let dict = dictionary, !dict.isEmpty else {
                    throw ZlibError(kind: .dictionary, code: rc, message: "the stream needs a preset dictionary", operation: "inflate")
                }
                let rc = dict.withUnsafeBufferPointer { inflateSetDictionary(stream, $0.baseAddress, UInt32($0.count)) }
                if rc != Z_OK {
                    throw ZlibError(kind: .dictionary, code: rc, message: "the preset dictionary does not match the stream", operation: "inflateSetDictionary")
                }
            case Z_BUF_ERROR:
                // No progress possible: all input is consumed and the stream has not ended.
                return finishCall(input)
            case Z_DATA_ERROR:
                throw ZlibError(kind: .corrupt, code: rc, message: message ?? "invalid compressed data", operation: "inflate")
            case Z_MEM_ERROR:
                throw ZlibError(kind: .library, code: rc, message: "out of memory", operation: "inflate")
            default:
                throw ZlibError(kind: .library, code: rc, message: message ?? "unexpected zlib result", operation: "inflate")
            }
        }
    }

    private func finishCall(_ input: UnsafeRawBufferPointer) -> Int {
        let consumed = input.count - Int(stream.pointee.avail_in)
        totalIn += consumed
        return consumed
    }

    /// Decompresses `input`, passing decompressed bytes to `output`. Returns the input bytes consumed.
    @discardableResult
    public func decompress(_ input: [UInt8], output: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        try input.withUnsafeBytes { try decompress($0, output: output) }
    }

    /// Makes the decompressor ready for a new stream of the same format and dictionary (zlib's
    /// `inflateReset`), keeping its state and buffer: far cheaper than a new decompressor for each
    /// of many small streams, such as the one-record gzip members of a WARC file.
    public func reset() throws {
        let rc = inflateReset(stream)
        guard rc == Z_OK else { throw ZlibError(kind: .library, code: rc, message: "cannot reset decompression", operation: "inflateReset") }
        if format == .raw, let dict = dictionary, !dict.isEmpty {
            let rc = dict.withUnsafeBufferPointer { inflateSetDictionary(stream, $0.baseAddress, UInt32($0.count)) }
            guard rc == Z_OK else {
                throw ZlibError(kind: .dictionary, code: rc, message: "cannot set the preset dictionary", operation: "inflateSetDictionary")
            }
        }
        isAtEnd = false
        totalIn = 0
        totalOut = 0
    }

    /// Checks that the stream ended; throws `truncated` if the input stopped early.
    public func finish() throws {
        if !isAtEnd {
            throw ZlibError(kind: .truncated, code: 0, message: "the compressed data ends before the end of the stream", operation: "inflate")
        }
    }

    private var message: String? {
        stream.pointee.msg.map { String(cString: $0) }
    }

    /// Decompresses a whole stream in one call. Throws when it is damaged, truncated, followed by
    /// extra bytes, or larger than `limit`.
    public static func decompress(_ input: [UInt8], format: DeflateFormat = .zlib, dictionary: [UInt8]? = nil, limit: Int = .max) throws -> [UInt8] {
        let inflater = try Inflater(format: format, dictionary: dictionary, outputLimit: limit)
        var out = [UInt8]()
        let consumed = try inflater.decompress(input) { out.append(contentsOf: $0) }
        try inflater.finish()
        if consumed < input.count {
            throw ZlibError(kind: .trailingData, code: 0, message: "\(input.count - consumed) bytes follow the end of the compressed stream", operation: "inflate")
        }
        return out
    }
}
