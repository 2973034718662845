import SQLite

extension Archive {
    /// Throws away the derived tables (batches, documents, versions, sightings, paths, roots, imports, redactions,
    /// quarantine, verifications) and replays every
    /// event in arrival order to rebuild them, in one transaction. The result must equal what was
    /// there: the events and blobs are the archive; everything else follows from them.
    public func rebuildDerivedState() throws {
        try write { try replayIntoEmptyDerivedTables() }
    }

    /// The tables derived from the events alone (the ones emptied below), in an order where each
    /// row refers only to rows of tables before it: `verify` rebuilds these in temporary tables
    /// and compares them with the stored ones.
    static let derivedTables = ["batches", "documents", "versions", "version_parents", "paths", "roots", "sightings", "supplied_fields",
                                "payload_references", "pending_references", "imports", "import_ranges", "redactions", "quarantine", "verifications"]

    /// Empties the derived tables and replays the log into them. Inside a write transaction.
    func replayIntoEmptyDerivedTables() throws {
        do {
            try db.execute("""
                UPDATE documents SET head = NULL;
                DELETE FROM verifications;
                DELETE FROM quarantine;
                DELETE FROM redactions;
                DELETE FROM supplied_fields;
                DELETE FROM pending_references;
                DELETE FROM payload_references;
                DELETE FROM import_ranges;
                DELETE FROM imports;
                DELETE FROM sightings;
                DELETE FROM paths;
                DELETE FROM roots;
                DELETE FROM version_parents;
                DELETE FROM versions;
                DELETE FROM documents;
                DELETE FROM batches;
                """)
            try events.replayAll()
        }
    }
}
