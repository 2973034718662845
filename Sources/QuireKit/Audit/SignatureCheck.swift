import SQLite

/// One signed event as `verify` found it.
public struct SignedEvent: Sendable, Equatable {
    /// `origin:seq`.
    public let event: String
    public let kind: String
    /// The principal the event names as its signer.
    public let principal: String
    /// `ED25519 SHA256:…`.
    public let fingerprint: String
    /// `allowed` (valid, and `allowed_signers` lists the principal for the key), `valid` (valid;
    /// no allowed_signers given), `unchecked` (ssh-keygen missing), `bad` or `unknown`.
    public let status: String

    public var json: JSON {
        ["event": .string(event), "kind": .string(kind), "principal": .string(principal), "key": .string(fingerprint), "status": .string(status)]
    }
    /// `ana@example.org (ED25519 SHA256:…)`.
    public var signer: String { "\(principal) (\(fingerprint))" }
}

/// What `verify` found about signatures.
public struct SignatureFindings: Sendable {
    public var signed: [SignedEvent] = []
    /// Events no signature covers: `origin:first-last`.
    public var unsignedSpans: [String] = []
    /// An origin whose events were signed by one key and then another.
    public var keyChanges: [String] = []
    /// Each problem: the event and what is wrong.
    var problems: [(subject: String, message: String)] = []

    public var json: JSON {
        ["signed": .array(signed.map(\.json)), "unsigned": .array(unsignedSpans.map { .string($0) }),
         "key_changes": .array(keyChanges.map { .string($0) })]
    }
}

/// Checks every signed event of the log (`SSHSignature`): its signature is over its chain tip, by
/// the key it names, and, with an `allowed_signers` file, by a key that file lists for the
/// principal the event names. Reports the spans of each origin no signature covers (the events
/// after its last signed one) and origins whose key changed.
struct SignatureCheck {
    let db: Database
    let allowedSigners: String?

    func run() throws -> SignatureFindings {
        var found = SignatureFindings()
        let canRun = SSHSignature.available
        if allowedSigners != nil && !canRun {
            found.problems.append(("signatures", "ssh-keygen (openssh-client) is not installed, so no signature can be checked against the allowed signers"))
        }
        let kinds = SSHSignature.signedKinds.map { "'\($0.name)'" }.joined(separator: ", ")
        var lastSigned: [String: (seq: Int, key: String, signer: String)] = [:]
        try db.forEach("""
            SELECT o.archive, e.seq, e.kind, e.at, e.payload, e.payload_size,
                   coalesce((SELECT p.hash FROM events p WHERE p.origin = e.origin AND p.seq = e.seq - 1), ?)
            FROM events e JOIN origins o ON o.id = e.origin WHERE e.kind IN (\(kinds)) ORDER BY o.archive, e.seq
            """, [Event.genesis]) { s in
            let (origin, seq, kind, at) = (s.text(0), s.int(1), s.text(2), s.text(3))
            let subject = "\(origin):\(seq)"
            guard let payload = try? JSON.parse(EventPayload.bytes(s, payload: 4, size: 5)), let field = payload["signature"] else { return }
            guard let key = field["key"]?.stringValue, let principal = field["principal"]?.stringValue, let sig = field["sig"]?.stringValue,
                  let fingerprint = SSHSignature.fingerprint(publicKey: key) else {
                found.problems.append((subject, "its signature field is malformed (it needs key, principal and sig)"))
                return
            }
            let message = SSHSignature.message(origin: origin, seq: seq,
                                               hash: SSHSignature.unsignedHash(previous: s.text(6), origin: origin, seq: seq, kind: kind, at: at, payload: payload))
            var status = "unchecked"
            if !SSHSignature.keyMatches(armored: sig, publicKey: key) {
                status = "bad"
                found.problems.append((subject, "its signature was made with another key than the \(fingerprint) it names"))
            } else if canRun {
                if try !SSHSignature.isValid(sig, message: message) {
                    status = "bad"
                    found.problems.append((subject, "its signature by \(principal) (\(fingerprint)) does not verify: the event or its chain was altered after signing"))
                } else if let allowedSigners {
                    if try SSHSignature.verify(sig, message: message, principal: principal, allowedSigners: allowedSigners) {
                        status = "allowed"
                    } else {
                        status = "unknown"
                        let listed = try SSHSignature.principals(sig, allowedSigners: allowedSigners)
                        found.problems.append((subject, listed.isEmpty
                            ? "signed by an unknown key: \(allowedSigners) lists no one for \(fingerprint) (the event names \(principal))"
                            : "signed with the key of \(listed.joined(separator: ", ")) (\(fingerprint)), but the event names \(principal)"))
                    }
                } else {
                    status = "valid"
                }
            }
            found.signed.append(SignedEvent(event: subject, kind: kind, principal: principal, fingerprint: fingerprint, status: status))
            if let last = lastSigned[origin], last.key != key {
                found.keyChanges.append("copy \(origin): events up to \(last.seq) signed by \(last.signer), from event \(seq) by \(principal) (\(fingerprint))")
            }
            lastSigned[origin] = (seq, key, "\(principal) (\(fingerprint))")
        }
        try db.forEach("SELECT o.archive, max(e.seq) FROM events e JOIN origins o ON o.id = e.origin GROUP BY o.archive ORDER BY o.archive") { s in
            let (origin, last) = (s.text(0), s.int(1))
            let covered = lastSigned[origin]?.seq ?? 0
            if covered < last { found.unsignedSpans.append("\(origin):\(covered + 1)-\(last)") }
        }
        return found
    }
}
