/// The bundle file format, version 1 (documented byte by byte in docs/bundle-format.md):
///
/// ```
/// magic "QUIREBDL" (8 bytes) | format version (uint16 BE) | header length H (uint32 BE)
/// header: H bytes of canonical JSON
/// body: one zlib stream (RFC 1950) holding the records
/// trailer: SHA-256 (32 bytes) of every byte before it
/// ```
///
/// A record is a type byte, a body length (uint64 BE) and the body. Blob records come first,
/// bases before the blobs compressed against them, then event records in an order in which each
/// event's dependencies come first, then one end record.
enum BundleFormat {
    static let magic: [UInt8] = Array("QUIREBDL".utf8)
    static let version: UInt16 = 1
    /// Optional features a bundle can require; a reader refuses a bundle requiring one it lacks.
    static let knownCapabilities: Set<String> = ["thin", "redaction", "delta"]
    static let trailerSize = 32
    /// Headers are small JSON; anything bigger is not a bundle this version wrote.
    static let maxHeaderSize = 64 * 1024 * 1024
    /// The largest event record accepted (a sightings event of 512 files is a few hundred KiB).
    static let maxEventSize = 64 * 1024 * 1024

    enum RecordType: UInt8 {
        /// `origin \n seq \n kind \n at \n hash \n payload`, UTF-8.
        case event = 0x45      // "E"
        /// 32-byte SHA-256, then the blob's original bytes.
        case rawBlob = 0x42    // "B"
        /// 32-byte SHA-256, 8-byte original size, 32-byte base hash (zeros: none), then a zlib stream
        /// of the original bytes (with the base's first 32 KiB as preset dictionary when there is one).
        case zlibBlob = 0x5A   // "Z"
        /// 32-byte SHA-256, 8-byte original size, 32-byte base hash, then a zlib stream of a delta
        /// (Fossil's format, docs/schema.md) that turns the base's whole bytes into the blob's; the
        /// base is earlier in the bundle or held by the receiver. Requires capability "delta".
        case deltaBlob = 0x44  // "D"
        /// 32-byte SHA-256 and 8-byte original size of a blob whose bytes the sender does not serve
        /// (redacted); valid only when a `redact` event names it. Requires capability "redaction".
        case redactedBlob = 0x52  // "R"
        /// Empty body: the last record.
        case end = 0x2E        // "."
    }

    /// Type byte and length.
    static let recordHeaderSize = 9
    static let zlibBlobPrefix = 72
    static let rawBlobPrefix = 32
    static let redactedBlobSize = 40
}

/// What a bundle's header says.
public struct BundleHeader: Sendable, Equatable {
    public let bundle: String
    /// The archive id of the copy that wrote it.
    public let source: String
    public let created: String
    public let agent: String
    public let host: String
    public let tool: String
    /// What the receiver was assumed to hold: the bundle has the events past it.
    public let base: ArchiveState
    /// What the source held when it wrote the bundle.
    public let tip: ArchiveState
    public let events: Int
    public let blobs: Int
    /// Sum of the original sizes of the blobs in the bundle.
    public let blobBytes: Int
    /// The exact length of the decompressed body: import stops at this many bytes.
    public let recordsBytes: Int
    /// Capabilities the reader must have ("thin": blobs compressed against the receiver's blobs).
    public let requires: [String]

    public var json: JSON {
        ["format": "quire-bundle", "bundle": .string(bundle), "source": .string(source), "created": .string(created),
         "agent": .string(agent), "host": .string(host), "tool": .string(tool),
         "base": base.json["origins"]!, "tip": tip.json["origins"]!,
         "events": .int(Int64(events)), "blobs": .int(Int64(blobs)), "blob_bytes": .int(Int64(blobBytes)),
         "records_bytes": .int(Int64(recordsBytes)), "requires": .array(requires.map { .string($0) })]
    }

    init(bundle: String, source: String, created: String, agent: String, host: String, tool: String, base: ArchiveState,
         tip: ArchiveState, events: Int, blobs: Int, blobBytes: Int, recordsBytes: Int, requires: [String]) {
        self.bundle = bundle
        self.source = source
        self.created = created
        self.agent = agent
        self.host = host
        self.tool = tool
        self.base = base
        self.tip = tip
        self.events = events
        self.blobs = blobs
        self.blobBytes = blobBytes
        self.recordsBytes = recordsBytes
        self.requires = requires
    }

    init(json: JSON) throws {
        func text(_ name: String) throws -> String {
            guard let v = json[name]?.stringValue else { throw QuireError(.badBundle, "bundle header lacks '\(name)'") }
            return v
        }
        func count(_ name: String) throws -> Int {
            guard let v = json[name]?.intValue, v >= 0 else { throw QuireError(.badBundle, "bundle header lacks a count '\(name)'") }
            return v
        }
        guard let base = json["base"], let tip = json["tip"] else { throw QuireError(.badBundle, "bundle header lacks its base or tip state") }
        self.init(bundle: try text("bundle"), source: try text("source"), created: try text("created"), agent: try text("agent"),
                  host: try text("host"), tool: try text("tool"), base: try ArchiveState(json: ["origins": base]),
                  tip: try ArchiveState(json: ["origins": tip]), events: try count("events"), blobs: try count("blobs"),
                  blobBytes: try count("blob_bytes"), recordsBytes: try count("records_bytes"),
                  requires: json["requires"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }
}
