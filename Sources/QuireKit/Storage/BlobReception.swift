import Deflate
import Hashing

/// One blob arriving in a bundle: its bytes are checked against its hash as they stream in and
/// stored as they arrive, so a blob of any size passes through bounded memory. Made by
/// `BlobStore.receive`; nothing is kept unless `finish` confirms the hash (the import's
/// transaction rolls back otherwise).
struct BlobReception {
    let hash: String
    let size: Int
    /// Where the record starts in the bundle body (for messages).
    let offset: Int
    private let store: BlobStore
    private var hasher = SHA256()
    private var received = 0
    /// The first 32 KiB of the original bytes (a later blob's dictionary).
    private(set) var prefix: [UInt8] = []
    /// For a zlib record: decompresses the stream to check it.
    private var inflater: Inflater?
    /// For a large raw record: compresses it on the way in.
    private var deflater: Deflater?
    /// Where the stored form goes.
    private var writer: BlobChunkWriter?
    /// Original bytes kept in memory, to be encoded when complete (small blobs, or a base chain
    /// too deep to build on).
    private var plain: [UInt8]?

    /// Raw records up to this size are kept in memory and compressed when complete.
    static let memoryLimit = 4 * 1024 * 1024

    fileprivate init(store: BlobStore, hash: String, size: Int, compressed: Bool, base: String?, offset: Int,
                     prefixes: inout PrefixCache) throws {
        self.store = store
        self.hash = hash
        self.size = size
        self.offset = offset
        if compressed {
            var dictionary: [UInt8]? = nil
            var baseRecord: BlobRecord? = nil
            if let base {
                guard let record = try store.record(hash: base) else {
                    throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) is compressed against blob \(base), which neither the bundle nor this archive holds")
                }
                baseRecord = record
                dictionary = try prefixes.get(base) ?? store.prefix(record)
                prefixes.put(base, dictionary!)
            }
            inflater = try Inflater(format: .zlib, dictionary: dictionary, outputLimit: size)
            if let baseRecord, !BlobStore.canServeAsBase(baseRecord) {
                plain = []   // too deep a chain here: keep the bytes and store them self-contained
            } else {
                writer = try store.writer(hash: hash, size: size, form: .zlib(base: baseRecord?.id),
                                          depth: baseRecord.map { $0.depth + 1 } ?? 0)
            }
        } else if size <= Self.memoryLimit {
            plain = []
            plain?.reserveCapacity(size)
        } else {
            deflater = try Deflater(level: BlobEncoding.defaultLevel)
            writer = try store.writer(hash: hash, size: size, form: .zlib(base: nil), depth: 0)
        }
    }

    /// The next piece of the record's bytes (the original bytes, or the zlib stream).
    mutating func take(_ piece: UnsafeRawBufferPointer) throws {
        do {
            if let inflater {
                try writer?.append(piece)
                let consumed = try inflater.decompress(piece) { original in self.original(original) }
                if consumed < piece.count {
                    throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) has bytes after its compressed stream")
                }
            } else {
                original(piece)
                if plain == nil, let deflater, let writer {
                    try deflater.compress(piece) { try writer.append($0) }
                }
            }
        } catch let error as ZlibError {
            throw QuireError(.badBundle, "bundle blob \(hash) (body offset \(offset)) is damaged", underlying: error)
        }
    }

    /// Takes original bytes: hashed, their prefix kept, and kept whole when `plain`.
    private mutating func original(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bytes)
        if received < BlobEncoding.dictionarySize {
            prefix += bytes.prefix(BlobEncoding.dictionarySize - received)
        }
        received += bytes.count
        plain?.append(contentsOf: bytes)
    }

    /// The record is complete: checks size and hash, and writes what is held in memory.
    mutating func finish() throws {
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
            _ = try store.put(hash: hash, bytes: plain)
        } else {
            try writer?.finish()
        }
    }
}

extension BlobStore {
    /// Starts receiving a blob from a bundle record, or returns nil when the archive already has
    /// a row for it (its bytes are then passed over). `compressed`: the record's bytes are a zlib
    /// stream, against `base`'s dictionary when given. `prefixes` caches recent blobs' first
    /// 32 KiB: bases usually arrive just before the blobs compressed against them.
    func receive(hash: String, size: Int, compressed: Bool, base: String?, at offset: Int,
                 prefixes: inout PrefixCache) throws -> BlobReception? {
        if try contains(hash: hash) { return nil }
        return try BlobReception(store: self, hash: hash, size: size, compressed: compressed, base: base, offset: offset,
                                 prefixes: &prefixes)
    }
}

/// A small cache of blob prefixes, dropping the least recently used.
struct PrefixCache {
    let capacity: Int
    private var entries: [String: (bytes: [UInt8], used: Int)] = [:]
    private var clock = 0

    init(capacity: Int) { self.capacity = capacity }

    mutating func get(_ hash: String) -> [UInt8]? {
        guard let entry = entries[hash] else { return nil }
        clock += 1
        entries[hash] = (entry.bytes, clock)
        return entry.bytes
    }

    mutating func put(_ hash: String, _ bytes: [UInt8]) {
        clock += 1
        entries[hash] = (bytes, clock)
        if entries.count > capacity, let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
            entries[oldest] = nil
        }
    }
}
