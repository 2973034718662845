internal import CZlib

/// A streaming compressor over zlib's `deflate`.
///
/// Feed input with `compress` and end with `finish`; each produces compressed bytes through the
/// `output` closure in pieces, so memory stays bounded whatever the input size. A preset
/// dictionary (`deflateSetDictionary`) lets similar data, such as an earlier version of the same
/// article, compress to a few bytes.
public final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var buffer: [UInt8]
    private var finished = false
    /// Total uncompressed bytes consumed so far.
    public private(set) var totalIn = 0
    /// Total compressed bytes produced so far.
    public private(set) var totalOut = 0

    /// A compressor. `level` is zlib's 0 (store) to 9 (smallest), -1 for its default (6).
    public init(level: Int32 = -1, format: DeflateFormat = .zlib, dictionary: [UInt8]? = nil) throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let rc = deflateInit2_(stream, level, Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY,
                               ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else {
            stream.deallocate()
            throw ZlibError(kind: .library, code: rc, message: "cannot start compression", operation: "deflateInit2")
        }
        if let dictionary, !dictionary.isEmpty {
            // zlib uses at most the last 32 KiB (the window) of a dictionary.
            let tail = dictionary.suffix(32 * 1024)
            let rc = tail.withUnsafeBufferPointer { deflateSetDictionary(stream, $0.baseAddress, UInt32($0.count)) }
            guard rc == Z_OK else {
                deflateEnd(stream)
                stream.deallocate()
                throw ZlibError(kind: .library, code: rc, message: "cannot set the preset dictionary", operation: "deflateSetDictionary")
            }
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input`, passing any compressed bytes produced so far to `output`.
    public func compress(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws -> Void) throws {
        precondition(!finished, "Deflater used after finish")
        try run(input, flush: Z_NO_FLUSH, output: output)
    }

    /// Compresses `input`, passing any compressed bytes produced so far to `output`.
    public func compress(_ input: [UInt8], output: (UnsafeRawBufferPointer) throws -> Void) throws {
        try input.withUnsafeBytes { try compress($0, output: output) }
    }

    /// Ends the stream, passing the remaining compressed bytes (and the trailer) to `output`.
    public func finish(output: (UnsafeRawBufferPointer) throws -> Void) throws {
        precondition(!finished, "Deflater finished twice")
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, output: output)
        finished = true
    }

    private func run(_ input: UnsafeRawBufferPointer, flush: Int32, output: (UnsafeRawBufferPointer) throws -> Void) throws {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(input.count)
        defer { stream.pointee.next_in = nil; stream.pointee.avail_in = 0 }
        while true {
            let (rc, produced) = buffer.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = UInt32(out.count)
                let rc = deflate(stream, flush)
                return (rc, out.count - Int(stream.pointee.avail_out))
            }
            if rc == Z_STREAM_ERROR {
                throw ZlibError(kind: .library, code: rc, message: "stream state is inconsistent", operation: "deflate")
            }
            if produced > 0 {
                totalOut += produced
                try buffer.withUnsafeBytes { try output(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            }
            if flush == Z_FINISH {
                if rc == Z_STREAM_END { break }
            } else if stream.pointee.avail_in == 0 && produced < buffer.count {
                break
            }
        }
        totalIn += input.count
    }

    /// Compresses `input` in one call.
    public static func compress(_ input: [UInt8], level: Int32 = -1, format: DeflateFormat = .zlib, dictionary: [UInt8]? = nil) throws -> [UInt8] {
        let deflater = try Deflater(level: level, format: format, dictionary: dictionary)
        var out = [UInt8]()
        out.reserveCapacity(input.count / 2 + 64)
        let append: (UnsafeRawBufferPointer) -> Void = { out.append(contentsOf: $0) }
        try deflater.compress(input, output: append)
        try deflater.finish(output: append)
        return out
    }
}
