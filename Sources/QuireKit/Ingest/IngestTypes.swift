import Foundation

/// What `ingest` should do beyond reading the files.
public struct IngestOptions: Sendable {
    /// The batch label; default: the date and the first input's name.
    public var label: String?
    /// Where the files came from (a site, a scraper, a feed).
    public var source: String?
    /// Who ran the ingest; default `user@host`.
    public var agent: String?
    /// Free text kept with the batch.
    public var note: String?
    /// Include names starting with `.`.
    public var includeHidden = false
    /// Follow symbolic links found inside input directories.
    public var followSymlinks = false
    /// zlib level for new blobs (0–9).
    public var compressionLevel: Int32 = BlobEncoding.defaultLevel
    /// Threads for reading, hashing and compressing (SQLite has one writer).
    public var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Files per chunk (prepared together, and one sightings event).
    public var chunkFiles = 512
    /// Bytes of file content held in memory per chunk.
    public var chunkBytes = 16 * 1024 * 1024
    /// A transaction commits once its chunks hold this many files, this many bytes, or have taken
    /// `commitSeconds`: each commit writes every page its rows touched, and the pages of the
    /// indexes with random keys (hashes, keys, paths) are touched again by every few hundred
    /// files: committing each chunk wrote 0.9 GB to the log for the 100 MB of BBC x20's texts,
    /// committing every eight chunks 0.32 GB (docs/benchmarks.md).
    public var commitFiles = 4096
    public var commitBytes = 16 * 1024 * 1024
    public var commitSeconds = 2.0
    /// A transaction also commits once the search-index rows it holds back until its commit
    /// (`Archive.holdSearchRows`) reach this many bytes of text: 16 MiB of them put a probe into
    /// an archive of a million articles at 155 MB.
    public var commitSearchTextBytes = 4 * 1024 * 1024
    /// Commit whenever the next chunk is not prepared yet, so the write lock is never held while
    /// files are read and compressed (off only where a test checks the limits above).
    public var commitWhileWaiting = true
    /// Files larger than this are streamed through a temporary file instead of memory.
    public var memoryFileLimit = 4 * 1024 * 1024
    /// Read `.warc` and `.warc.gz` files record by record (each response and resource record a
    /// sighting) instead of archiving them as files.
    public var readWARC = true
    /// What names a document: its canonical URL when one is found (the default), or its path.
    public var keyMode: KeyMode = .url
    /// Metadata the scraper supplied, by path relative to the input (`ingest --meta`). It takes
    /// precedence over what is extracted, and a supplied `url` becomes the key in `.url` mode.
    public var supplied: [String: [MetadataField]] = [:]

    /// How documents are keyed.
    public enum KeyMode: String, Sendable {
        /// The canonical URL when the article declares one, else the path.
        case url
        /// The path relative to the input, always.
        case path
    }

    public init() {}
}

/// Where an ingest has got to, for a progress line.
public struct IngestProgress: Sendable {
    /// Files handled (sighted) so far.
    public let files: Int
    /// Bytes of those files.
    public let bytes: Int
    /// Seconds since the ingest started.
    public let elapsed: Double
    /// Bytes of the input files walked so far (a WARC file's up to its last record read).
    public var inputBytes = 0
    /// Bytes of all the input files, counted before the first is read.
    public var totalInputBytes = 0
}

/// What an ingest did.
public struct IngestReport: Sendable {
    /// The batch id (UUID).
    public let batch: String
    public let label: String
    /// Sightings by meaning: new, version, unchanged, failed, pending (and `duplicate`, always 0
    /// since schema 13: whether bytes were already stored is counted apart, in `alreadyStored`).
    public internal(set) var counts: [String: Int] = SightingMeaning.emptyCounts
    /// How many of the `new` and `version` sightings had bytes the archive already held (a wire
    /// copy under another outlet's name, a revert): no new blob was stored for them.
    public internal(set) var alreadyStored = 0
    /// Files sighted (including failed ones); WARC and ARC records count one each.
    public internal(set) var files = 0
    /// How many of those were records of WARC or ARC files.
    public internal(set) var records = 0
    /// Bytes read.
    public internal(set) var bytes = 0

    /// What was sighted, in words: `3 files`, `60 WARC/ARC records`, `3 files and 60 WARC/ARC records`.
    public var sightedText: String {
        let plain = files - records
        func n(_ count: Int, _ one: String, _ many: String) -> String { "\(count) \(count == 1 ? one : many)" }
        if records == 0 { return n(files, "file", "files") }
        if plain == 0 { return n(records, "WARC/ARC record", "WARC/ARC records") }
        return n(plain, "file", "files") + " and " + n(records, "WARC/ARC record", "WARC/ARC records")
    }
    /// Blobs this ingest added.
    public internal(set) var newBlobs = 0
    /// Bytes those blobs take in the archive.
    public internal(set) var storedBytes = 0
    /// Files whose metadata and text were read: bytes the archive lacked, each distinct blob once
    /// (a repeat in the ingest takes the first copy's, `ChunkPreparer.extractAll`).
    public internal(set) var metadataReads = 0
    /// Files that could not be archived, with why.
    public internal(set) var failures: [Problem] = []
    /// Things left out on purpose (symbolic links), with why.
    public internal(set) var skipped: [Problem] = []
    /// WARC revisits whose payload is neither in the batch nor in the archive: recorded as
    /// pending sightings, which link up with the payload when it arrives.
    public internal(set) var pending: [Problem] = []
    /// Files whose bytes another copy had redacted: stored, but kept in quarantine.
    public internal(set) var quarantined: [Problem] = []
    /// Wall-clock seconds.
    public internal(set) var seconds = 0.0

    /// A path and what happened to it.
    public struct Problem: Sendable {
        public let path: String
        public let reason: String
    }

    init(batch: String, label: String) {
        self.batch = batch
        self.label = label
    }

    /// The report as JSON (the shape `quire ingest --json` prints).
    public var json: JSON {
        .object([
            "batch": .string(batch),
            "label": .string(label),
            "files": .int(Int64(files)),
            "records": .int(Int64(records)),
            "bytes": .int(Int64(bytes)),
            "new_blobs": .int(Int64(newBlobs)),
            "stored_bytes": .int(Int64(storedBytes)),
            "counts": .object(counts.mapValues { .int(Int64($0)) }),
            "already_stored": .int(Int64(alreadyStored)),
            "failures": .array(failures.map { .object(["path": .string($0.path), "reason": .string($0.reason)]) }),
            "skipped": .array(skipped.map { .object(["path": .string($0.path), "reason": .string($0.reason)]) }),
            "pending": .array(pending.map { .object(["path": .string($0.path), "reason": .string($0.reason)]) }),
            "quarantined": .array(quarantined.map { .object(["path": .string($0.path), "reason": .string($0.reason)]) }),
            "seconds": .double((seconds * 1000).rounded() / 1000),
        ])
    }
}
