#if canImport(Glibc)
import Glibc
#endif

/// One file (or one record of a WARC file) on its way through an ingest chunk.
///
/// The preparer takes it through its phases in order, each on all cores where it can:
/// 1. walked: `content` is nil until the file is read (a WARC record arrives read);
/// 2. read: `content` holds the bytes (small files) or the hash (large ones), or why it failed;
///    `heldAtPlanning` says whether the archive had those bytes when the chunk was prepared;
/// 3. extracted: `metadata` holds what was read out of bytes the archive lacked;
/// 4. planned: `plan` says what the commit is expected to do (`SightingDecider` decides it);
/// 5. encoded: a `.store` plan becomes `.encoded` or `.encodedFile`, an `.unchanged` one gets its
///    sighting rendered.
/// The commit decides again inside its transaction with the same `SightingDecider`; the plan
/// only spares it work when nobody else wrote to the archive meanwhile.
struct IngestFile {
    let item: Walker.Item
    /// The document key: the path, or in URL mode the canonical URL once the bytes are read.
    var key: String
    /// The path as text (`%XX` for bytes that are not UTF-8); for a WARC record, `FILE#OFFSET`.
    let pathText: String
    /// Hex of the exact name bytes, when they are not UTF-8.
    let pathRaw: String?
    /// The key the path gives (`pathText`, or the older key an archive already holds): a URL
    /// found in the bytes replaces only this one.
    var pathKey: String
    /// The absolute folder the path is relative to, as text (`InputRoots`).
    let root: String
    /// A record of a WARC file, read by the walk (its bytes, or for a revisit its hash, are in `content`).
    let fromWARC: Bool
    /// Metadata the scraper supplied for this path (or the WARC record's fields), as (name, value) pairs.
    var supplied: [[String]]?
    /// The bytes read, or why not; nil until read.
    var content: FileReader.Result?
    /// The modification time (or capture time) as recorded, formatted off the committing thread.
    var mtime: String?
    /// Whether the archive held these bytes when the chunk was prepared (if not, their metadata is read).
    var heldAtPlanning = false
    /// What was read out of the bytes (bytes the archive lacked).
    var metadata: ArticleMetadata?
    /// What the commit is expected to do.
    var plan: FilePlan = .undecided
    /// Why the capture (a WARC record) is not whole: an HTTP status that is not 2xx, truncated.
    var partial: String?
    /// A WARC revisit whose payload is neither in the batch nor in the archive: recorded as a
    /// `pending` sighting (it has no bytes; `content` stays nil and is never read).
    var pendingRevisit = false

    init(item: Walker.Item, key: String, pathText: String, pathRaw: String?, fromWARC: Bool = false) {
        self.item = item
        self.key = key
        self.pathText = pathText
        self.pathRaw = pathRaw
        self.fromWARC = fromWARC
        pathKey = pathText
        root = PathText.display(item.root).text
    }

    /// The SHA-256 of the bytes, once read.
    var hash: String? {
        switch content {
        case .small(_, let h, _), .large(let h, _, _): return h
        case .failed, nil: return nil
        }
    }

    /// The sighting for this file when its bytes are already the document's head.
    func unchangedRecord(versionHash: String) -> SightingRecord? {
        let hash: String, size: Int, status: FileSystem.Status
        switch content {
        case .small(let bytes, let h, let st): (hash, size, status) = (h, bytes.count, st)
        case .large(let h, let s, let st): (hash, size, status) = (h, s, st)
        case .failed, nil: return nil
        }
        var record = SightingRecord(key: key, path: pathText, pathRaw: pathRaw, size: size, mtime: mtime ?? status.mtime,
                                    blob: hash, meaning: .unchanged, version: versionHash)
        record.meta = supplied
        record.partial = partial
        record.root = root
        return record
    }
}

/// What the preparer expects the commit to do with one file.
enum FilePlan {
    /// Not planned: the file failed, or planning found nothing to prepare.
    case undecided
    /// The bytes are the document's head (or what this path showed last time) in the archive:
    /// the rows the sighting refers to, and, once encoded, the sighting as canonical JSON.
    case unchanged(UnchangedPrediction, rendered: (record: SightingRecord, json: [UInt8])?)
    /// The archive or an earlier file of this ingest holds the bytes: nothing to store.
    case held
    /// New bytes, to be encoded as a delta against the best of these candidate bases (their hash
    /// and whole bytes), or self-contained when that is smaller.
    case store(bases: [CompressionBases.Candidate])
    /// New small bytes, encoded.
    case encoded(EncodedBlob)
    /// New large bytes, their stored form in a temporary file (self-contained).
    case encodedFile(path: String, compressed: Bool)
}

/// The rows an `unchanged` sighting refers to, as the plan found them.
struct UnchangedPrediction {
    let document: Int
    let version: Int
    let versionHash: String
    let blob: Int
}

/// A chunk ready to commit: its files, read, hashed, planned and encoded.
struct PreparedChunk {
    let index: Int
    var files: [IngestFile]
    /// Things the walk left out on purpose (symbolic links), with why.
    var skipped: [IngestReport.Problem]
    /// Bytes of the inputs walked so far, this chunk included (the ingest's progress).
    var inputBytes = 0
    /// Files of the chunk whose metadata the preparer read (`IngestReport.metadataReads`).
    var metadataReads = 0

    /// Removes the temporary files of large blobs.
    func removeTemporaryFiles() {
        for file in files { if case .encodedFile(let path, _) = file.plan { unlink(path) } }
    }
}
