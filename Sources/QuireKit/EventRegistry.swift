/// Every event kind's handler, in one place: each folder declares the handlers of the kinds it
/// owns, and this table joins them, so the event log (below them all) applies any event without
/// reaching up into the folders that give the kinds their meaning.
enum EventRegistry {
    /// Applies one event to the derived tables.
    typealias Handler = @Sendable (Archive, EventLog.Applied) throws -> Void

    static let handlers: [EventKind: Handler] = Archive.archiveEventHandlers
        .merging(Archive.syncEventHandlers) { a, _ in a }
        .merging(Archive.auditEventHandlers) { a, _ in a }
}
