import SQLite

extension Archive {
    /// The handlers of the kinds this folder owns (`EventRegistry` lists every kind's).
    static let syncEventHandlers: [EventKind: EventRegistry.Handler] = [
        .importRecord: { try $0.applyImport($1) },
    ]

    /// Applies an `import` event: which bundle carried which events into which copy, so
    /// provenance can show the route an article took.
    private func applyImport(_ event: EventLog.Applied) throws {
        let payload = event.payload
        let archiveID = try events.archiveID(origin: event.origin)
        try db.run("INSERT INTO imports (event, archive, bundle, source, at, agent, host) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   event.id, archiveID, try field(payload, "bundle", .importRecord), try field(payload, "source", .importRecord),
                   event.at, payload["agent"]?.stringValue ?? "", payload["host"]?.stringValue ?? "")
        let importID = db.lastInsertRowID
        for (rangeOrigin, range) in payload["added"]?.objectValue ?? [:] {
            guard let bounds = range.arrayValue, bounds.count == 2, let first = bounds[0].intValue, let last = bounds[1].intValue else {
                throw QuireError(.corrupt, "import event has a malformed range for origin \(rangeOrigin)")
            }
            try db.run("INSERT INTO import_ranges (import, origin, first, last) VALUES (?, ?, ?, ?)", importID, rangeOrigin, first, last)
        }
    }
}
