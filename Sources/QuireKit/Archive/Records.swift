import SQLite

/// The things the archive answers questions with. Each has a `json` form: the shape `--json` prints.

/// A document and its current head (`quire ls`).
public struct DocumentSummary: Sendable, Equatable {
    public let key: String
    /// The current head version's hash.
    public let head: String?
    /// The current head's blob hash.
    public let headBlob: String?
    /// The current head's size in bytes.
    public let size: Int?
    /// How many versions the document has.
    public let versions: Int
    /// How many heads (more than one: the document forked in two copies).
    public let heads: Int
    /// The latest time any copy saw it.
    public let lastSeen: String?

    public var json: JSON {
        ["key": .string(key), "head": JSON(head), "head_blob": JSON(headBlob), "size": JSON(size),
         "versions": .int(Int64(versions)), "heads": .int(Int64(heads)), "last_seen": JSON(lastSeen)]
    }
}

/// One observation of a file.
public struct SightingInfo: Sendable, Equatable {
    public let batch: String
    public let batchLabel: String
    public let path: String
    public let size: Int?
    public let mtime: String?
    public let blob: String?
    public let key: String?
    public let version: String?
    public let meaning: String
    public let error: String?
    public let seenAt: String
    public let agent: String
    public let host: String
    public let source: String?
    public let tool: String
    /// Why the capture was not whole (`HTTP 404`, `truncated: length`), when it was not.
    public var partial: String? = nil
    /// For a pending WARC revisit: the payload it has linked up with since, if this copy holds it.
    public var linkedBlob: String? = nil
    /// Whether the bytes were already stored when this sighting made a version (nil: not recorded).
    public var held: Bool? = nil
    /// The absolute folder `path` is relative to (nil for sightings before schema 13).
    public var root: String? = nil

    /// The path the file was read from: root and path, or the path alone when the root is unknown.
    public var fullPath: String { root.map { SightingRecord.join($0, path) } ?? path }

    public var json: JSON {
        ["batch": .string(batch), "batch_label": .string(batchLabel), "path": .string(path), "root": JSON(root),
         "full_path": .string(fullPath), "held": held.map { .bool($0) } ?? .null, "size": JSON(size),
         "mtime": JSON(mtime), "blob": JSON(blob), "key": JSON(key), "version": JSON(version), "meaning": .string(meaning),
         "error": JSON(error), "seen_at": .string(seenAt), "agent": .string(agent), "host": .string(host),
         "source": JSON(source), "tool": .string(tool), "partial": JSON(partial), "linked_blob": JSON(linkedBlob)]
    }
}

/// One version of a document (`quire log`, `quire show`).
public struct VersionInfo: Sendable, Equatable {
    public let key: String
    /// Its position in the document's log, oldest first, from 1.
    public let number: Int
    public let hash: String
    public let blob: String
    public let size: Int
    public let parents: [String]
    public let createdAt: String
    /// Whether no other version names it as a parent.
    public let isHead: Bool
    /// Whether it is the document's current head.
    public let isCurrent: Bool
    /// The batch and path of the sighting that created it here, when one did (the full path read
    /// from, root included, for sightings since schema 13).
    public let batch: String?
    public let batchLabel: String?
    public let path: String?
    /// Whether its text equals a parent's (same fingerprint) though the bytes differ.
    public let sameText: Bool
    /// Why it is not a whole capture (`HTTP 404`, `truncated: length`), when it is not: such a
    /// version never replaces a whole one as the current head.
    public var partial: String? = nil

    public var json: JSON {
        ["key": .string(key), "n": .int(Int64(number)), "version": .string(hash), "blob": .string(blob),
         "size": .int(Int64(size)), "parents": .array(parents.map { .string($0) }), "created_at": .string(createdAt),
         "head": .bool(isHead), "current": .bool(isCurrent), "batch": JSON(batch), "batch_label": JSON(batchLabel),
         "path": JSON(path), "same_text": .bool(sameText), "partial": JSON(partial)]
    }
}

/// How a blob is stored.
public struct BlobInfo: Sendable, Equatable {
    public let hash: String
    public let size: Int
    public let encoding: String
    public let storedSize: Int
    /// The blob whose bytes are this one's preset dictionary.
    public let base: String?
    public let depth: Int

    public var json: JSON {
        ["hash": .string(hash), "size": .int(Int64(size)), "encoding": .string(encoding),
         "stored_size": .int(Int64(storedSize)), "base": JSON(base), "depth": .int(Int64(depth))]
    }
}

/// One batch: one run of `ingest`, as its `batch.open` and `batch.close` events recorded it.
public struct BatchInfo: Sendable, Equatable {
    public let id: String
    public let label: String
    public let source: String?
    public let agent: String
    public let host: String
    public let tool: String
    public let note: String?
    public let inputs: [String]
    public let startedAt: String
    /// Nil when the batch did not finish (interrupted).
    public let finishedAt: String?
    /// The copy that ran it.
    public let archive: String

    public var json: JSON {
        ["id": .string(id), "label": .string(label), "source": JSON(source), "agent": .string(agent), "host": .string(host),
         "tool": .string(tool), "note": JSON(note), "inputs": .array(inputs.map { .string($0) }),
         "started_at": .string(startedAt), "finished_at": JSON(finishedAt), "archive": .string(archive)]
    }

    /// The columns `init(_:at:)` reads, from `batches` as `alias` joined to `origins` as `originAlias`.
    static func columns(_ alias: String, origin originAlias: String) -> String {
        "\(alias).uuid, \(alias).label, \(alias).source, \(alias).agent, \(alias).host, \(alias).tool, \(alias).note, \(alias).inputs, \(alias).started_at, \(alias).finished_at, \(originAlias).archive"
    }

    /// A batch from the row of `columns` starting at column `first`.
    init(_ s: Statement, at first: Int = 0) {
        let inputs = (try? JSON.parse(s.text(first + 7)))?.arrayValue?.compactMap(\.stringValue) ?? []
        self.init(id: s.text(first), label: s.text(first + 1), source: s.optionalText(first + 2), agent: s.text(first + 3),
                  host: s.text(first + 4), tool: s.text(first + 5), note: s.optionalText(first + 6), inputs: inputs,
                  startedAt: s.text(first + 8), finishedAt: s.optionalText(first + 9), archive: s.text(first + 10))
    }

    init(id: String, label: String, source: String?, agent: String, host: String, tool: String, note: String?, inputs: [String],
         startedAt: String, finishedAt: String?, archive: String) {
        (self.id, self.label, self.source, self.agent, self.host, self.tool) = (id, label, source, agent, host, tool)
        (self.note, self.inputs, self.startedAt, self.finishedAt, self.archive) = (note, inputs, startedAt, finishedAt, archive)
    }
}

/// One batch with its counts (`quire batches`).
@dynamicMemberLookup
public struct BatchSummary: Sendable, Equatable {
    public let batch: BatchInfo
    public let files: Int
    public let bytes: Int
    /// Sightings by meaning.
    public let counts: [String: Int]

    /// The batch's own fields (`summary.label`, `summary.startedAt`, ...).
    public subscript<T>(dynamicMember path: KeyPath<BatchInfo, T>) -> T { batch[keyPath: path] }

    public var json: JSON {
        var fields = batch.json.objectValue ?? [:]
        fields["archive"] = nil   // the shape `quire batches --json` has always had
        fields["files"] = .int(Int64(files))
        fields["bytes"] = .int(Int64(bytes))
        fields["counts"] = .object(counts.mapValues { .int(Int64($0)) })
        return .object(fields)
    }
}

/// Totals for the whole archive (`quire stats`).
public struct ArchiveStats: Sendable, Equatable {
    public let archiveID: String
    public let documents: Int
    public let versions: Int
    public let blobs: Int
    public let sightings: Int
    public let batches: Int
    public let events: Int
    /// Sum of the sizes of all distinct blobs.
    public let originalBytes: Int
    /// Bytes the blobs take in the archive (their stored chunks).
    public let storedBytes: Int
    /// The archive file's size on disk (with its write-ahead log).
    public let fileBytes: Int
    /// Documents with more than one head.
    public let forkedDocuments: Int

    public var json: JSON {
        ["archive_id": .string(archiveID), "documents": .int(Int64(documents)), "versions": .int(Int64(versions)),
         "blobs": .int(Int64(blobs)), "sightings": .int(Int64(sightings)), "batches": .int(Int64(batches)),
         "events": .int(Int64(events)), "original_bytes": .int(Int64(originalBytes)),
         "stored_bytes": .int(Int64(storedBytes)), "file_bytes": .int(Int64(fileBytes)),
         "forked_documents": .int(Int64(forkedDocuments))]
    }
}
