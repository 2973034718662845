/// Accepts events arriving in a bundle into the log, one import at a time: parses each record,
/// applies the origin rule (no event may claim this archive's own origin unless this archive
/// wrote it), checks its place in its origin's hash chain, inserts it and applies it. Keeps each
/// origin's tip as the bundle's events extend it. With `checkOnly`, it checks the same and
/// writes nothing (`bundle verify`).
struct EventIntake {
    let log: EventLog
    let checkOnly: Bool
    /// For each origin seen, the last event held (this archive's, then the bundle's as they apply).
    private(set) var chains: [String: ChainTip] = [:]
    private var originRows: [String: Int] = [:]
    /// For each origin, the seqs this intake added.
    private(set) var added: [String: ClosedRange<Int>] = [:]
    private(set) var eventsAdded = 0
    private(set) var eventsKnown = 0
    /// The blobs named by the `redact` events this intake accepted (a bundle may send a blob
    /// without its bytes only when a redaction names it).
    private(set) var redactedInBundle = Set<String>()

    init(log: EventLog, checkOnly: Bool = false) throws {
        self.log = log
        self.checkOnly = checkOnly
        for (id, archive) in try log.origins() {
            originRows[archive] = id
            chains[archive] = try log.tip(origin: id)
        }
    }

    /// What to say when two different events claim one place in an origin's chain: `here` is
    /// this archive's event, `there` the other side's (`thereIs` says where that is).
    static func conflict(origin: String, seq: Int, here: String, there: String, thereIs: String = "in the bundle") -> String {
        "conflict in the chain of copy \(origin): its event \(seq) is \(here) in this archive but \(there) \(thereIs). Two different events claim one place in that copy's chain, so one of them was written by another copy under its id (a copy made with cp, or a forged bundle). See `quire reid --help`"
    }

    /// The last seq held of `origin` (0 for none).
    func held(_ origin: String) -> Int { chains[origin]?.seq ?? 0 }

    /// Accepts one "E" record body found at `offset` of the bundle body: adds it when new,
    /// checks it is the very event held when known. Any failure is an error naming the record.
    mutating func accept(_ body: [UInt8], at offset: Int) throws {
        func bad(_ why: String) -> QuireError { QuireError(.badBundle, "bundle event record at body offset \(offset): \(why)") }
        let event: Event
        do { event = try EventWire.decode(body) } catch let error as EventWire.Malformed { throw bad(error.reason) }
        let (origin, seq) = (event.origin, event.seq)

        let chain = chains[origin] ?? .start
        if seq <= chain.seq {
            // Known here already: it must be the very same event.
            let held = try log.hash(origin: origin, seq: seq) ?? "none"
            guard held == event.hash else {
                throw bad(Self.conflict(origin: origin, seq: seq, here: held, there: event.hash) + "; nothing was imported")
            }
            eventsKnown += 1
            return
        }
        if origin == log.archive.id {
            throw bad("event \(origin):\(seq) claims this archive's own origin, but this archive never wrote it. Either the bundle is forged, or it comes from a copy of this archive made with cp (which kept this archive's id and went on writing under it): give that copy its own id with `quire reid` there, then sync again")
        }
        guard seq == chain.seq + 1 else {
            throw bad("event \(origin):\(seq) does not follow this archive's last event of that origin (\(chain.seq)): events \(chain.seq + 1)-\(seq - 1) are missing")
        }
        guard event.links(to: chain.hash) else {
            throw bad("event \(origin):\(seq) does not link to its chain: its hash does not match its contents and the previous event")
        }
        let payload: JSON
        do { payload = try JSON.parse(Array(event.payload.utf8)) } catch { throw bad("payload of \(origin):\(seq) is not JSON") }
        if EventKind(name: event.kind) == .redact, let blob = payload["blob"]?.stringValue { redactedInBundle.insert(blob) }
        if let problem = try Self.signatureProblem(event, payload: payload, previous: chain.hash) { throw bad(problem) }
        if checkOnly {
            chains[origin] = ChainTip(seq: seq, hash: event.hash)
            added[origin] = (added[origin]?.lowerBound ?? seq)...seq
            eventsAdded += 1
            return
        }

        let originRow: Int
        if let row = originRows[origin] {
            originRow = row
        } else {
            originRow = try log.originRow(origin)
            originRows[origin] = originRow
        }
        let id = try log.insert(origin: originRow, seq: seq, kind: event.kind, at: event.at, payload: event.payload, hash: event.hash)
        do {
            try log.apply(EventLog.Applied(id: id, origin: originRow, kind: EventKind(name: event.kind), at: event.at, payload: payload))
        } catch let error as QuireError {
            throw QuireError(.badBundle, "bundle event \(origin):\(seq) cannot be applied: \(error.message)")
        }
        chains[origin] = ChainTip(seq: seq, hash: event.hash)
        added[origin] = (added[origin]?.lowerBound ?? seq)...seq
        eventsAdded += 1
    }

    /// Why the signature an event carries is refused, or nil: a signature must be well formed,
    /// made with the key it names and, where ssh-keygen can be run, valid over the event's chain
    /// tip, so no bundle can bring in an event whose signature was altered (its chain recomputed).
    static func signatureProblem(_ event: Event, payload: JSON, previous: String) throws -> String? {
        guard SSHSignature.signedKinds.contains(EventKind(name: event.kind)), let field = payload["signature"] else { return nil }
        let name = "event \(event.origin):\(event.seq)"
        guard let key = field["key"]?.stringValue, field["principal"]?.stringValue != nil, let sig = field["sig"]?.stringValue,
              SSHSignature.fingerprint(publicKey: key) != nil else {
            return "\(name) carries a malformed signature (it needs key, principal and sig)"
        }
        guard SSHSignature.keyMatches(armored: sig, publicKey: key) else { return "\(name) carries a signature made with another key than the one it names" }
        guard SSHSignature.available else { return nil }
        let unsigned = SSHSignature.unsignedHash(previous: previous, origin: event.origin, seq: event.seq, kind: event.kind, at: event.at, payload: payload)
        if try !SSHSignature.isValid(sig, message: SSHSignature.message(origin: event.origin, seq: event.seq, hash: unsigned)) {
            return "\(name) carries a signature that does not verify over its chain tip (altered); nothing was imported"
        }
        return nil
    }
}
