extension Archive {
    /// The handlers of the kinds this folder owns (`EventRegistry` lists every kind's).
    static let auditEventHandlers: [EventKind: EventRegistry.Handler] = [
        .redact: { try $0.applyRedaction($1) },
        .reinstate: { try $0.applyRedaction($1) },
        .purge: { try $0.applyRedaction($1) },
        .verify: { try $0.applyVerification($1) },
    ]
}
