import Foundation
import Testing
import TestSupport

/// Each table is written by the file of the type that owns it (docs/architecture.md), so a
/// mechanism's rules live in one place. These tests read `Sources/` and fail when an `INSERT`,
/// `UPDATE` or `DELETE` of a table appears anywhere else.
@Suite("Ownership of tables")
struct OwnershipTests {
    /// The files allowed to write each table. `Rebuild.swift` empties the derived tables before
    /// replaying the log into them.
    static let owners: [String: Set<String>] = [
        "blobs": ["QuireKit/Storage/BlobStore.swift", "QuireKit/Storage/BlobChunkWriter.swift"],
        "blob_chunks": ["QuireKit/Storage/BlobStore.swift", "QuireKit/Storage/BlobChunkWriter.swift"],
        "events": ["QuireKit/Events/EventLog.swift"],
        "origins": ["QuireKit/Events/EventLog.swift", "QuireKit/Archive/Archive.swift"],
        "batches": ["QuireKit/Archive/ArchiveEvents.swift", "QuireKit/Archive/Rebuild.swift"],
        "documents": ["QuireKit/Archive/ArchiveEvents.swift", "QuireKit/Archive/Rebuild.swift"],
        "versions": ["QuireKit/Archive/ArchiveEvents.swift", "QuireKit/Archive/Rebuild.swift"],
        "version_parents": ["QuireKit/Archive/ArchiveEvents.swift", "QuireKit/Archive/Rebuild.swift"],
        "sightings": ["QuireKit/Archive/ArchiveEvents.swift", "QuireKit/Archive/Rebuild.swift"],
        "paths": ["QuireKit/Archive/ArchiveEvents.swift", "QuireKit/Archive/Rebuild.swift"],
        "roots": ["QuireKit/Archive/ArchiveEvents.swift", "QuireKit/Archive/Rebuild.swift"],
        "supplied_fields": ["QuireKit/Archive/ArchiveEvents.swift", "QuireKit/Archive/Rebuild.swift"],
        "payload_references": ["QuireKit/Archive/ArchiveEvents.swift", "QuireKit/Archive/Rebuild.swift"],
        "pending_references": ["QuireKit/Archive/ArchiveEvents.swift", "QuireKit/Archive/Rebuild.swift"],
        "imports": ["QuireKit/Sync/ImportEvents.swift", "QuireKit/Archive/Rebuild.swift"],
        "import_ranges": ["QuireKit/Sync/ImportEvents.swift", "QuireKit/Archive/Rebuild.swift"],
        "peers": ["QuireKit/Sync/Peers.swift"],
        "exchanges": ["QuireKit/Sync/Peers.swift"],
        "redactions": ["QuireKit/Audit/Redaction.swift", "QuireKit/Archive/Rebuild.swift"],
        "quarantine": ["QuireKit/Audit/Redaction.swift", "QuireKit/Archive/Rebuild.swift"],
        "verifications": ["QuireKit/Audit/Verify.swift", "QuireKit/Archive/Rebuild.swift"],
        "articles": ["QuireKit/Articles/ArticleStore.swift"],
        "article_near_keys": ["QuireKit/Articles/ArticleStore.swift"],
        "article_search": ["QuireKit/Articles/Search.swift"],
        "article_titles": ["QuireKit/Articles/Search.swift"],
        "article_index": ["QuireKit/Articles/Search.swift"],
        "search_texts": ["QuireKit/Articles/Search.swift"],
    ]

    /// Every write statement in the Swift sources: (file relative to Sources/, table).
    static func writes() throws -> [(file: String, table: String)] {
        let root = repositoryRoot + "/Sources"
        let pattern = try NSRegularExpression(pattern: #"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+([a-z_][a-z_.]*)"#)
        var found: [(String, String)] = []
        let files = FileManager.default.enumerator(atPath: root)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        for file in files.sorted() {
            let text = try String(contentsOfFile: root + "/" + file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let table = String(text[Range(match.range(at: 1), in: text)!])
                found.append((file, table))
            }
        }
        return found
    }

    @Test("blobs, blob_chunks and events are written only by the blob store and the event log")
    func storageAndEvents() throws {
        let writes = try Self.writes()
        #expect(writes.contains { $0.table == "blobs" }, "the scan found no writes at all: it is broken")
        for (file, table) in writes where ["blobs", "blob_chunks", "events"].contains(table) {
            #expect(Self.owners[table]!.contains(file), "\(file) writes \(table), which only \(Self.owners[table]!.sorted()) may")
        }
    }

    @Test("every table is written only by its owner")
    func everyTable() throws {
        for (file, table) in try Self.writes() where !table.hasPrefix("temp.") && table != "archive" {
            guard let owners = Self.owners[table] else {
                Issue.record("\(file) writes \(table), which has no owner in OwnershipTests.owners (add it, and to docs/architecture.md)")
                continue
            }
            #expect(owners.contains(file), "\(file) writes \(table), which only \(owners.sorted()) may")
        }
    }
}
