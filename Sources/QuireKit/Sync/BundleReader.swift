import Deflate
import Foundation
import Hashing

/// Receives the records of a bundle as they are decompressed. Blob bytes arrive in pieces, so a
/// blob of any size passes through bounded memory.
protocol BundleRecordHandler {
    /// An event record's body: `origin \n seq \n kind \n at \n hash \n payload`.
    mutating func event(_ body: [UInt8], at offset: Int) throws
    /// A blob record begins: its hash, original size, what the bytes that follow are (the blob's
    /// own, a zlib stream, or a zlib-compressed delta) and its base (or nil).
    mutating func blobBegin(hash: String, size: Int, kind: BlobRecordKind, base: String?, at offset: Int) throws
    /// The next piece of the current blob record's bytes (original bytes, or the zlib stream).
    mutating func blobData(_ piece: UnsafeRawBufferPointer) throws
    /// The current blob record is complete.
    mutating func blobEnd() throws
    /// An "R" record: a blob the sender does not serve, by hash and original size.
    mutating func redactedBlob(hash: String, size: Int, at offset: Int) throws
}

/// What the bytes of a blob record are.
enum BlobRecordKind: Equatable {
    /// The blob's original bytes ("B").
    case raw
    /// A zlib stream of them, against the base's first 32 KiB as preset dictionary when there is one ("Z").
    case zlib
    /// A zlib stream of a delta against the base's whole bytes ("D").
    case delta
}

/// A bundle file opened for reading: magic, version and trailing SHA-256 checked, header parsed.
public struct BundleFile: Sendable {
    public let path: String
    /// What messages call the bundle: its path, or `stdin`.
    public let name: String
    public let header: BundleHeader
    /// The file's size.
    public let size: Int
    let bodyOffset: Int
    let bodyLength: Int

    /// Opens and checks a bundle file. Each problem is an error that names it: not a bundle
    /// (wrong magic), a newer format version, a truncated or altered file (the trailing SHA-256
    /// does not match), a header that is not valid, a capability this version lacks.
    public static func open(_ path: String, name: String? = nil) throws -> BundleFile {
        let name = name ?? path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw QuireError(.io, "cannot read bundle \(name): \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        let size = Int((try? handle.seekToEnd()) ?? 0)
        try? handle.seek(toOffset: 0)
        let start = [UInt8]((try? handle.read(upToCount: 14)) ?? Data())
        guard start.count >= 8, Array(start[0..<8]) == BundleFormat.magic else {
            throw QuireError(.badBundle, "\(name) is not a Quire bundle (it does not start with \"QUIREBDL\")")
        }
        guard start.count == 14 else {
            throw QuireError(.badBundle, "bundle \(name) is truncated: it ends inside its first 14 bytes")
        }
        let version = UInt16(start[8]) << 8 | UInt16(start[9])
        guard version == BundleFormat.version else {
            throw QuireError(.badBundle, "bundle \(name) has format version \(version); this quire reads version \(BundleFormat.version) (upgrade quire to read it)")
        }
        let headerLength = start[10..<14].reduce(0) { $0 << 8 | Int($1) }
        let bodyOffset = 14 + headerLength
        guard headerLength <= BundleFormat.maxHeaderSize, bodyOffset + BundleFormat.trailerSize <= size else {
            throw QuireError(.badBundle, "bundle \(name) is truncated or damaged: its header length \(headerLength) does not fit in \(size) bytes")
        }

        // The trailer: SHA-256 of everything before it.
        try handle.seek(toOffset: 0)
        var hasher = SHA256()
        var remaining = size - BundleFormat.trailerSize
        while remaining > 0 {
            guard let data = try handle.read(upToCount: min(remaining, 1 << 20)), !data.isEmpty else { break }
            data.withUnsafeBytes { hasher.update($0) }
            remaining -= data.count
        }
        let trailer = [UInt8]((try handle.read(upToCount: BundleFormat.trailerSize)) ?? Data())
        guard remaining == 0, trailer == hasher.finalize().bytes else {
            throw QuireError(.badBundle, "bundle \(name) is damaged or truncated: its trailing SHA-256 does not match its contents")
        }

        try handle.seek(toOffset: 14)
        let headerBytes = [UInt8]((try handle.read(upToCount: headerLength)) ?? Data())
        let header: BundleHeader
        do {
            header = try BundleHeader(json: JSON.parse(headerBytes))
        } catch let error as JSONParseError {
            throw QuireError(.badBundle, "bundle \(name) has a header that is not valid JSON", underlying: error)
        }
        if let missing = header.requires.first(where: { !BundleFormat.knownCapabilities.contains($0) }) {
            throw QuireError(.badBundle, "bundle \(name) requires the capability '\(missing)', which this quire does not have (upgrade quire)")
        }
        return BundleFile(path: path, name: name, header: header, size: size, bodyOffset: bodyOffset,
                          bodyLength: size - bodyOffset - BundleFormat.trailerSize)
    }

    /// Decompresses the body and hands each record to `handler`. Decompression stops at the
    /// header's declared body length (a guard against decompression bombs); a body that is longer,
    /// shorter, malformed or missing its end record is an error naming the offset. `progress`
    /// gets the compressed bytes read and their number.
    func readRecords<H: BundleRecordHandler>(_ handler: inout H, progress: ((Int, Int) -> Void)? = nil) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw QuireError(.io, "cannot read bundle \(name)")
        }
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(bodyOffset))
        let inflater = try Inflater(format: .zlib, outputLimit: header.recordsBytes)
        var parser = RecordParser(limit: header.recordsBytes)
        var remaining = bodyLength
        progress?(0, bodyLength)
        do {
            while remaining > 0 {
                guard let data = try handle.read(upToCount: min(remaining, 1 << 20)), !data.isEmpty else { break }
                remaining -= data.count
                let consumed = try data.withUnsafeBytes { raw in
                    try inflater.decompress(raw) { try parser.feed($0, &handler) }
                }
                if consumed < data.count || (inflater.isAtEnd && remaining > 0) {
                    throw QuireError(.badBundle, "bundle \(name) has bytes after the end of its compressed records")
                }
                progress?(bodyLength - remaining, bodyLength)
            }
            try inflater.finish()
        } catch let error as ZlibError {
            if error.kind == .outputLimitExceeded {
                throw QuireError(.badBundle, "bundle \(name) decompresses to more than the \(header.recordsBytes) bytes its header declares (stopped there)", underlying: error)
            }
            throw QuireError(.badBundle, "bundle \(name) has damaged compressed records", underlying: error)
        }
        try parser.finish(path: name)
    }
}

/// Splits the decompressed body into records.
struct RecordParser {
    let limit: Int
    private(set) var offset = 0
    private var header: [UInt8] = []
    private var type: BundleFormat.RecordType?
    private var recordStart = 0
    private var remaining = 0
    private var recordLength = 0
    private var prefix: [UInt8] = []
    private var prefixNeeded = 0
    private var eventBody: [UInt8] = []
    private var ended = false

    init(limit: Int) { self.limit = limit }

    mutating func feed<H: BundleRecordHandler>(_ bytes: UnsafeRawBufferPointer, _ handler: inout H) throws {
        var i = 0
        while i < bytes.count {
            if ended { throw QuireError(.badBundle, "bundle body has bytes after its end record (offset \(offset))") }
            guard let current = type else {
                // Reading a record header: type byte and 8-byte length.
                let take = min(BundleFormat.recordHeaderSize - header.count, bytes.count - i)
                header += bytes[i..<i + take]
                i += take
                offset += take
                if header.count == BundleFormat.recordHeaderSize { try startRecord(&handler) }
                continue
            }
            let take = min(remaining, bytes.count - i)
            let piece = UnsafeRawBufferPointer(rebasing: bytes[i..<i + take])
            i += take
            offset += take
            remaining -= take
            switch current {
            case .event, .redactedBlob:
                eventBody += piece
            case .rawBlob, .zlibBlob, .deltaBlob:
                var rest = piece[...]
                if prefix.count < prefixNeeded {
                    let p = min(prefixNeeded - prefix.count, rest.count)
                    prefix += rest.prefix(p)
                    rest = rest.dropFirst(p)
                    if prefix.count == prefixNeeded { try beginBlob(current, &handler) }
                }
                if !rest.isEmpty { try handler.blobData(UnsafeRawBufferPointer(rebasing: rest)) }
            case .end:
                break
            }
            if remaining == 0 { try endRecord(&handler) }
        }
    }

    private mutating func startRecord<H: BundleRecordHandler>(_ handler: inout H) throws {
        recordStart = offset - BundleFormat.recordHeaderSize
        guard let t = BundleFormat.RecordType(rawValue: header[0]) else {
            throw QuireError(.badBundle, "bundle record at offset \(recordStart) has unknown type 0x\(String(header[0], radix: 16))")
        }
        let length = header[1...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard length <= UInt64(limit - offset) else {
            throw QuireError(.badBundle, "bundle record at offset \(recordStart) claims \(length) bytes, more than the body holds")
        }
        remaining = Int(length)
        recordLength = remaining
        header.removeAll()
        type = t
        switch t {
        case .event:
            guard remaining <= BundleFormat.maxEventSize else {
                throw QuireError(.badBundle, "bundle event record at offset \(recordStart) is \(remaining) bytes, over the limit")
            }
            eventBody.removeAll(keepingCapacity: true)
            eventBody.reserveCapacity(remaining)
        case .rawBlob, .zlibBlob, .deltaBlob:
            prefixNeeded = t == .rawBlob ? BundleFormat.rawBlobPrefix : BundleFormat.zlibBlobPrefix
            guard remaining >= prefixNeeded else {
                throw QuireError(.badBundle, "bundle blob record at offset \(recordStart) is too short")
            }
            prefix.removeAll(keepingCapacity: true)
        case .redactedBlob:
            guard remaining == BundleFormat.redactedBlobSize else {
                throw QuireError(.badBundle, "bundle redacted-blob record at offset \(recordStart) is \(remaining) bytes, not \(BundleFormat.redactedBlobSize)")
            }
            eventBody.removeAll(keepingCapacity: true)
        case .end:
            guard remaining == 0 else { throw QuireError(.badBundle, "bundle end record at offset \(recordStart) is not empty") }
        }
        if remaining == 0 { try endRecord(&handler) }
    }

    private mutating func beginBlob<H: BundleRecordHandler>(_ t: BundleFormat.RecordType, _ handler: inout H) throws {
        let hash = Hex.encode(prefix[0..<32])
        if t == .rawBlob {
            try handler.blobBegin(hash: hash, size: recordLength - BundleFormat.rawBlobPrefix, kind: .raw, base: nil, at: recordStart)
        } else {
            let size = prefix[32..<40].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard size <= UInt64(Int.max) else { throw QuireError(.badBundle, "bundle blob at offset \(recordStart) has an impossible size") }
            let baseBytes = prefix[40..<72]
            let base = baseBytes.allSatisfy { $0 == 0 } ? nil : Hex.encode(baseBytes)
            if t == .deltaBlob && base == nil {
                throw QuireError(.badBundle, "bundle delta record at offset \(recordStart) names no base")
            }
            try handler.blobBegin(hash: hash, size: Int(size), kind: t == .deltaBlob ? .delta : .zlib, base: base, at: recordStart)
        }
    }

    private mutating func endRecord<H: BundleRecordHandler>(_ handler: inout H) throws {
        switch type {
        case .event: try handler.event(eventBody, at: recordStart)
        case .rawBlob, .zlibBlob, .deltaBlob: try handler.blobEnd()
        case .redactedBlob:
            let size = eventBody[32..<40].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard size <= UInt64(Int.max) else { throw QuireError(.badBundle, "bundle blob at offset \(recordStart) has an impossible size") }
            try handler.redactedBlob(hash: Hex.encode(eventBody[0..<32]), size: Int(size), at: recordStart)
        case .end: ended = true
        case nil: break
        }
        type = nil
    }

    func finish(path name: String) throws {
        if !ended {
            throw QuireError(.badBundle, "bundle \(name) is incomplete: its records stop at byte \(offset) of the \(limit) its header declares, without an end record")
        }
        if offset != limit {
            throw QuireError(.badBundle, "bundle \(name) has its end record at byte \(offset), but its header declares \(limit) bytes of records")
        }
    }
}
