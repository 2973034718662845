import Deflate
import Hashing

/// One blob arriving in a bundle: its bytes are checked against its hash as they stream in and,
/// unless only checking, stored as they arrive, so a blob of any size passes through bounded
/// memory whatever its record declares. Made by `BlobStore.receive`; nothing is kept unless
/// `finish` confirms the hash (the import's transaction rolls back otherwise).
struct BlobReception {
    let hash: String
    let size: Int
    /// Where the record starts in the bundle body (for messages).
    let offset: Int
    /// The blob's redacted row this reception gives bytes to (nil: a new row).
    let filling: BlobRecord?
    private let store: BlobStore
    private var hasher = SHA256()
    private var received = 0
    /// The first 32 KiB of the original bytes (a later blob's dictionary).
    private(set) var prefix: [UInt8] = []
    /// For a zlib record: decompresses the stream to check it (at most `size` bytes come out).
    private var inflater: Inflater?
    /// Re-encodes the original bytes on the way in: a large raw record, or a zlib record whose
    /// base is too deep a chain here to build on (stored self-contained instead).
    private var deflater: Deflater?
    /// Where the stored form goes (nil when only checking).
    private var writer: BlobChunkWriter?
    /// Whether the record's own zlib stream is what gets stored.
    private var storesRecordBytes = false
    /// Original bytes kept in memory, to be compressed when complete (small raw records only).
    private var plain: [UInt8]?
    /// For a delta record: the base's hash, the record's bytes as they came (the stored form to
    /// keep) and the delta they inflate to; applied to the base's bytes when complete.
    private var deltaBase: String?
    private var deltaStream: [UInt8] = []
    private var deltaBytes: [UInt8] = []
    /// The base's whole bytes, by hash (from the archive, or for a check, from earlier in the bundle).
    private let baseBytes: (String) throws -> [UInt8]?
    private let checkOnly: Bool
    /// Whether to keep the whole original bytes for the caller (`whole`).
    private let keepWhole: Bool
    /// The whole original bytes, when `keepWhole` and the blob is small enough to be a delta base.
    private(set) var whole: [UInt8]?
    /// The stored blob's row id, once `finish` has stored it.
    private(set) var storedID: Int?

    /// Raw records up to this size are kept in memory and compressed when complete.
    static let memoryLimit = 4 * 1024 * 1024

    fileprivate init(store: BlobStore, hash: String, size: Int, kind: BlobRecordKind, base: String?, offset: Int, checkOnly: Bool,
                     filling: BlobRecord?, prefixes: inout PrefixCache, baseBytes: @escaping (String) throws -> [UInt8]?,
                     keepWhole: Bool) throws {
        self.store = store
        self.hash = hash
        self.size = size
        self.offset = offset
        self.filling = filling
        self.baseBytes = baseBytes
        self.checkOnly = checkOnly
        self.keepWhole = keepWhole && size <= BlobEncoding.largestDelta
        if self.keepWhole { whole = [] }
        if kind == .delta {
            guard size <= BlobEncoding.largestDelta else {
                throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) is a delta of \(size) bytes; deltas are accepted up to \(BlobEncoding.largestDelta) bytes")
            }
            deltaBase = base
            inflater = try Inflater(format: .zlib, outputLimit: 2 * size + 1024)
            return
        }
        if kind == .zlib {
            var dictionary: [UInt8]? = nil
            var baseRecord: BlobRecord? = nil
            if let base {
                if let cached = try prefixes.get(base) {
                    dictionary = cached
                    baseRecord = try store.record(hash: base)
                } else {
                    guard let record = try store.record(hash: base), record.form.holdsBytes else {
                        throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) is compressed against blob \(base), which neither the bundle nor this archive holds")
                    }
                    baseRecord = record
                    dictionary = try store.prefix(record)
                    try prefixes.put(base, dictionary!)
                }
            }
            inflater = try Inflater(format: .zlib, dictionary: dictionary, outputLimit: size)
            guard !checkOnly else { return }
            if base != nil, baseRecord == nil || !BlobStore.canServeAsBase(baseRecord!) {
                // The base is not stored here (only checking it), or too deep a chain to build on:
                // the bytes are recompressed on their own as they come out.
                deflater = try Deflater(level: BlobEncoding.defaultLevel)
                writer = try store.writer(hash: hash, size: size, form: .zlib(base: nil), depth: 0, filling: filling)
            } else {
                storesRecordBytes = true
                writer = try store.writer(hash: hash, size: size, form: .zlib(base: baseRecord?.id),
                                          depth: baseRecord.map { $0.depth + 1 } ?? 0, filling: filling)
            }
        } else if checkOnly {
            return
        } else if size <= Self.memoryLimit {
            plain = []
            plain?.reserveCapacity(size)
        } else {
            deflater = try Deflater(level: BlobEncoding.defaultLevel)
            writer = try store.writer(hash: hash, size: size, form: .zlib(base: nil), depth: 0, filling: filling)
        }
    }

    /// The next piece of the record's bytes (the original bytes, or the zlib stream).
    mutating func take(_ piece: UnsafeRawBufferPointer) throws {
        do {
            if deltaBase != nil, let inflater {
                deltaStream.append(contentsOf: piece)
                let consumed = try inflater.decompress(piece) { self.deltaBytes.append(contentsOf: $0) }
                if consumed < piece.count {
                    throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) has bytes after its compressed delta")
                }
            } else if let inflater {
                if storesRecordBytes { try writer?.append(piece) }
                let consumed = try inflater.decompress(piece) { original in try self.original(original) }
                if consumed < piece.count {
                    throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) has bytes after its compressed stream")
                }
            } else {
                try original(piece)
            }
        } catch let error as ZlibError {
            if error.kind == .outputLimitExceeded {
                throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) is damaged: it decompresses to more than the \(size) bytes its record declares (stopped there)", underlying: error)
            }
            throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) is damaged", underlying: error)
        }
    }

    /// Takes original bytes: hashed, their prefix kept, and re-encoded or kept when needed.
    private mutating func original(_ bytes: UnsafeRawBufferPointer) throws {
        guard received + bytes.count <= size else {
            throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) holds more than the \(size) bytes its record declares")
        }
        hasher.update(bytes)
        whole?.append(contentsOf: bytes)
        if received < BlobEncoding.dictionarySize {
            prefix += bytes.prefix(BlobEncoding.dictionarySize - received)
        }
        received += bytes.count
        if plain != nil {
            plain!.append(contentsOf: bytes)
        } else if let deflater, let writer {
            try deflater.compress(bytes) { try writer.append($0) }
        }
    }

    /// The record is complete: checks size and hash, and writes what is held in memory.
    mutating func finish() throws {
        if let deltaBase {
            try finishDelta(base: deltaBase)
            return
        }
        do {
            try inflater?.finish()
            if let deflater, let writer { try deflater.finish { try writer.append($0) } }
        } catch let error as ZlibError {
            throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) is damaged or truncated", underlying: error)
        }
        let actual = hasher.finalize().hex
        guard actual == hash, received == size else {
            throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) does not match its hash: its \(received) bytes hash to \(actual)")
        }
        if let plain {
            storedID = try store.put(hash: hash, bytes: plain, filling: filling)
        } else {
            try writer?.finish()
            storedID = writer?.id
        }
    }
}

extension BlobReception {
    /// A delta record is complete: applies it to its base's bytes, checks the result's hash, and
    /// stores the record's bytes as the delta (when the base can serve here) or the bytes on
    /// their own.
    private mutating func finishDelta(base: String) throws {
        do { try inflater?.finish() } catch let error as ZlibError {
            throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) is damaged or truncated", underlying: error)
        }
        guard let source = try baseBytes(base) else {
            throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) is a delta against blob \(base), which neither the bundle nor this archive holds")
        }
        let bytes: [UInt8]
        do {
            bytes = try Delta.apply(deltaBytes, to: source, limit: size)
        } catch let error as Delta.Malformed {
            throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) is a delta that does not apply to its base: \(error)")
        }
        let actual = SHA256.hash(bytes).hex
        guard actual == hash, bytes.count == size else {
            throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) does not match its hash: its \(bytes.count) bytes hash to \(actual)")
        }
        received = bytes.count
        prefix = Array(bytes.prefix(BlobEncoding.dictionarySize))
        if keepWhole { whole = bytes }
        guard !checkOnly else { return }
        if let record = try store.record(hash: base), BlobStore.canServeAsBase(record) {
            storedID = try store.put(hash: hash, bytes: bytes, encoded: EncodedBlob(data: deltaStream, kind: .delta(base: base)), filling: filling).id
        } else {
            storedID = try store.put(hash: hash, bytes: bytes, filling: filling)
        }
    }
}

extension BlobStore {
    /// Starts receiving a blob from a bundle record, or returns nil when the archive already has
    /// it (its bytes are then passed over). A row without bytes whose bytes this copy may take
    /// again (`mayFill`: a redaction from another copy, never this copy's own deletion) is given
    /// the bytes. `compressed`: the record's bytes are a zlib stream, against `base`'s dictionary
    /// when given. `checkOnly`: hash and count, store nothing. `prefixes` caches recent blobs'
    /// first 32 KiB: bases usually arrive just before the blobs compressed against them.
    func receive(hash: String, size: Int, kind: BlobRecordKind, base: String?, at offset: Int, checkOnly: Bool = false,
                 mayFill: (BlobRecord) throws -> Bool = { _ in false }, prefixes: inout PrefixCache,
                 keepWhole: Bool = false, baseBytes: @escaping (String) throws -> [UInt8]? = { _ in nil }) throws -> BlobReception? {
        var filling: BlobRecord? = nil
        if let existing = try record(hash: hash) {
            guard existing.form == .redacted, try mayFill(existing) else { return nil }
            guard existing.size == size else {
                throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) declares \(size) bytes, but its redaction recorded \(existing.size)")
            }
            filling = existing
        }
        return try BlobReception(store: self, hash: hash, size: size, kind: kind, base: base, offset: offset,
                                 checkOnly: checkOnly, filling: filling, prefixes: &prefixes, baseBytes: baseBytes, keepWhole: keepWhole)
    }
}

/// The first 32 KiB of blobs received so far, for the blobs that arrive compressed against them.
/// The most recently used `capacity` stay in memory; with a spill file, older ones are written
/// there instead of being dropped (checking a bundle stores nothing in the archive, so bases that
/// came earlier in the bundle are found only here).
struct PrefixCache {
    let capacity: Int
    private var entries: [String: (bytes: [UInt8], used: Int)] = [:]
    /// Entries in order of use, oldest first (stale ones skipped when popped).
    private var order: [(hash: String, used: Int)] = []
    private var orderStart = 0
    private var clock = 0
    private let spill: SpillFile?
    private var spilled: [String: (offset: Int, count: Int)] = [:]

    init(capacity: Int, spill: SpillFile? = nil) {
        self.capacity = capacity
        self.spill = spill
    }

    mutating func get(_ hash: String) throws -> [UInt8]? {
        if let entry = entries[hash] {
            clock += 1
            entries[hash] = (entry.bytes, clock)
            order.append((hash, clock))
            return entry.bytes
        }
        guard let place = spilled[hash], let spill else { return nil }
        return try spill.read(at: place.offset, count: place.count)
    }

    mutating func put(_ hash: String, _ bytes: [UInt8]) throws {
        clock += 1
        entries[hash] = (bytes, clock)
        order.append((hash, clock))
        while entries.count > capacity, orderStart < order.count {
            let (oldest, used) = order[orderStart]
            orderStart += 1
            guard let entry = entries[oldest], entry.used == used else { continue }
            entries[oldest] = nil
            if let spill { spilled[oldest] = (try spill.append(entry.bytes), entry.bytes.count) }
        }
        if orderStart > 4096 && orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }
}
