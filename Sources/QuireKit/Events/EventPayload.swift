import Deflate
import SQLite

/// How an event's canonical JSON is kept in `events.payload` (migration 6): short payloads as
/// TEXT, longer ones zlib-compressed as a BLOB with their length in `events.payload_size`.
///
/// The compressed form is what the sqlite3 shell's `sqlar_compress` writes, so anyone can read it
/// back without Quire: `CAST(sqlar_uncompress(payload, payload_size) AS TEXT)` in the shell, or
/// `zlib.decompress(payload)` in Python. The chain hash is always over the text; compression only
/// changes how the row is stored (the sightings of a batch shrink about 3.5 times).
enum EventPayload {
    /// Payloads of this many UTF-8 bytes or more are compressed (a `batch.open` stays readable text).
    static let compressFrom = 512

    /// What to store for `text`: the `payload` value and the `payload_size` (nil when stored as text).
    static func stored(_ text: String) throws -> (payload: DatabaseValue, size: Int?) {
        let bytes = Array(text.utf8)
        guard bytes.count >= compressFrom else { return (.text(text), nil) }
        let compressed = try Deflater.compress(bytes, level: BlobEncoding.defaultLevel)
        guard compressed.count < bytes.count else { return (.text(text), nil) }
        return (.blob(compressed), bytes.count)
    }

    /// A payload as stored: the canonical JSON's bytes, or a zlib stream of them and their count.
    /// Copied off a row, so it can be inflated after the statement has moved on (verify's replay
    /// inflates and parses the next event on another thread).
    enum Stored: Sendable {
        case plain([UInt8])
        case compressed([UInt8], size: Int?)

        /// Column `payload` of `row` and its `payload_size` in column `size`.
        init(_ row: Statement, payload: Int, size: Int) {
            if case .blob(let bytes) = row.value(payload) { self = .compressed(bytes, size: row.optionalInt(size)) } else { self = .plain(Array(row.text(payload).utf8)) }
        }

        /// The canonical JSON's bytes. Throws `.corrupt` when a compressed payload does not inflate to its size.
        func bytes() throws -> [UInt8] {
            switch self {
            case .plain(let bytes): return bytes
            case .compressed(let compressed, let size): return try EventPayload.inflate(compressed, size: size)
            }
        }
    }

    /// The canonical JSON's bytes from a row whose column `payload` is the payload and `size` its
    /// `payload_size`. Throws `.corrupt` when a compressed payload does not inflate to its size.
    static func bytes(_ row: Statement, payload: Int, size: Int) throws -> [UInt8] {
        try Stored(row, payload: payload, size: size).bytes()
    }

    private static func inflate(_ compressed: [UInt8], size: Int?) throws -> [UInt8] {
        let expected = size ?? -1
        let bytes: [UInt8]
        do {
            bytes = try Inflater.decompress(compressed, limit: max(expected, 0) + 1)
        } catch {
            throw QuireError(.corrupt, "an event's compressed payload does not inflate (\(error))")
        }
        guard bytes.count == expected else {
            throw QuireError(.corrupt, "an event's compressed payload inflates to \(bytes.count) bytes, not the \(expected) recorded")
        }
        return bytes
    }

    /// The canonical JSON text from a row (see `bytes`).
    static func text(_ row: Statement, payload: Int, size: Int) throws -> String {
        String(decoding: try bytes(row, payload: payload, size: size), as: UTF8.self)
    }
}
