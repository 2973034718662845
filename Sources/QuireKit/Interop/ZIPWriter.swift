import Deflate

/// Writes a ZIP file (PKWARE APPNOTE 6.3.x) entry by entry to a byte sink: each entry stored or
/// deflated, its CRC-32 and sizes in the local header (so no data descriptors), ZIP64 fields once a
/// size or offset reaches 4 GiB, and the central directory at the end. Enough for a WACZ, whose
/// WARC data must be stored (not deflated) so that a replay can read records at their offsets.
struct ZIPWriter {
    private struct Entry {
        let name: [UInt8]
        let method: UInt16
        let crc: UInt32
        let compressed: Int
        let size: Int
        let offset: Int
    }

    private var entries: [Entry] = []
    private(set) var offset = 0
    private let dosTime: UInt16
    private let dosDate: UInt16
    /// Sizes and offsets from this on are written as ZIP64 (tests set it low).
    let zip64Threshold: Int

    /// `modified` is the time every entry is dated (UTC, ISO 8601).
    init(modified: String, zip64Threshold: Int = 0xFFFF_FFFF) {
        let d = Array(modified.utf8)
        func num(_ a: Int, _ n: Int) -> Int { decimalNumber(d, at: a, count: n) ?? 0 }
        let year = max(1980, num(0, 4))
        dosDate = UInt16((year - 1980) << 9 | num(5, 2) << 5 | num(8, 2))
        dosTime = UInt16(num(11, 2) << 11 | num(14, 2) << 5 | num(17, 2) / 2)
        self.zip64Threshold = zip64Threshold
    }

    /// Adds an entry stored as is: `size` bytes with CRC-32 `crc`, which `data` passes to the sink.
    mutating func addStored(_ name: String, size: Int, crc: UInt32, to emit: (UnsafeRawBufferPointer) throws -> Void,
                            data: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        let entry = Entry(name: Array(name.utf8), method: 0, crc: crc, compressed: size, size: size, offset: offset)
        try writeLocalHeader(entry, to: emit)
        var written = 0
        try withoutActuallyEscaping(emit) { emit in
            try data { piece in
                written += piece.count
                try emit(piece)
            }
        }
        guard written == size else { throw QuireError(.corrupt, "the ZIP entry \(name) was \(written) bytes, not \(size)") }
        offset += size
        entries.append(entry)
    }

    /// Adds an entry, deflated.
    mutating func addDeflated(_ name: String, _ bytes: [UInt8], to emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        let compressed = try Deflater.compress(bytes, level: 6, format: .raw)
        let crc = bytes.withUnsafeBytes { crc32($0) }
        let entry = Entry(name: Array(name.utf8), method: 8, crc: crc, compressed: compressed.count, size: bytes.count, offset: offset)
        try writeLocalHeader(entry, to: emit)
        try compressed.withUnsafeBytes { try emit($0) }
        offset += compressed.count
        entries.append(entry)
    }

    /// Writes the central directory and its end records.
    mutating func finish(to emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        let directoryStart = offset
        for entry in entries {
            var out: [UInt8] = []
            var extra: [UInt8] = []
            let big = needsZIP64(entry)
            if big || entry.offset >= zip64Threshold {
                extra += le16(0x0001)
                var fields: [UInt8] = []
                if big { fields += le64(entry.size) + le64(entry.compressed) }
                if entry.offset >= zip64Threshold { fields += le64(entry.offset) }
                extra += le16(fields.count) + fields
            }
            out += le32(0x0201_4B50)
            out += le16(big || entry.offset >= zip64Threshold ? 45 : 20)  // made by (MS-DOS / FAT attributes)
            out += le16(big || entry.offset >= zip64Threshold ? 45 : 20)  // needed to extract
            out += le16(0x0800)                                           // the name is UTF-8
            out += le16(Int(entry.method)) + le16(Int(dosTime)) + le16(Int(dosDate)) + le32(Int(entry.crc))
            out += le32(big ? 0xFFFF_FFFF : entry.compressed) + le32(big ? 0xFFFF_FFFF : entry.size)
            out += le16(entry.name.count) + le16(extra.count) + le16(0)   // comment length
            out += le16(0) + le16(0) + le32(0)                            // disk, internal and external attributes
            out += le32(entry.offset >= zip64Threshold ? 0xFFFF_FFFF : entry.offset)
            out += entry.name + extra
            try out.withUnsafeBytes { try emit($0) }
            offset += out.count
        }
        let directorySize = offset - directoryStart
        var end: [UInt8] = []
        let needs64 = directoryStart >= zip64Threshold || directorySize >= zip64Threshold || entries.count >= 0xFFFF || entries.contains(where: needsZIP64)
        if needs64 {
            let record = offset
            end += le32(0x0606_4B50) + le64(44) + le16(45) + le16(45) + le32(0) + le32(0)
            end += le64(entries.count) + le64(entries.count) + le64(directorySize) + le64(directoryStart)
            end += le32(0x0706_4B50) + le32(0) + le64(record) + le32(1)
        }
        end += le32(0x0605_4B50) + le16(0) + le16(0)
        end += le16(min(entries.count, 0xFFFF)) + le16(min(entries.count, 0xFFFF))
        end += le32(needs64 ? 0xFFFF_FFFF : directorySize) + le32(needs64 ? 0xFFFF_FFFF : directoryStart) + le16(0)
        try end.withUnsafeBytes { try emit($0) }
        offset += end.count
    }

    private func needsZIP64(_ entry: Entry) -> Bool { entry.size >= zip64Threshold || entry.compressed >= zip64Threshold }

    private mutating func writeLocalHeader(_ entry: Entry, to emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        let big = needsZIP64(entry)
        var out: [UInt8] = le32(0x0403_4B50)
        out += le16(big ? 45 : 20) + le16(0x0800) + le16(Int(entry.method)) + le16(Int(dosTime)) + le16(Int(dosDate)) + le32(Int(entry.crc))
        out += le32(big ? 0xFFFF_FFFF : entry.compressed) + le32(big ? 0xFFFF_FFFF : entry.size)
        let extra: [UInt8] = big ? le16(0x0001) + le16(16) + le64(entry.size) + le64(entry.compressed) : []
        out += le16(entry.name.count) + le16(extra.count) + entry.name + extra
        try out.withUnsafeBytes { try emit($0) }
        offset += out.count
    }

    private func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    private func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(v >> ($0 * 8) & 0xFF) } }
    private func le64(_ v: Int) -> [UInt8] { (0..<8).map { UInt8(v >> ($0 * 8) & 0xFF) } }
}
