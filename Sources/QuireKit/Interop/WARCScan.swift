import Hashing

/// Reads a WARC or ARC file as ingest reads it, without an archive: every record, the payload
/// ingest would store for each `response` and `resource` record (SHA-256 hashed), and the damage
/// it would report. For measuring the reader on its own (`quire-bench warc`) and
/// for checking a file before ingesting it.
public struct WARCScan: Sendable {
    /// Records read (of every type).
    public private(set) var records = 0
    /// Payloads that would become sightings, and their bytes.
    public private(set) var payloads = 0
    public private(set) var payloadBytes = 0
    /// Damage reports.
    public private(set) var damaged = 0

    /// Scans the file at `path`.
    public init(path: String) throws {
        var reader = try WARCReader(path: path)
        defer { reader.close() }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        while let item = reader.next() {
            switch item {
            case .damaged:
                damaged += 1
            case .record(let record):
                records += 1
                // The payload's SHA-256 is computed there, as ingest needs it.
                if case .payload(_, let bytes, _, _, _, _) = WARCEntry.interpret(record, file: name) {
                    payloads += 1
                    payloadBytes += bytes.count
                }
            }
        }
    }
}
