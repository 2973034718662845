/// The payloads of the WARC files of one batch, for the revisit records that repeat them.
///
/// A revisit names what it repeats by `WARC-Refers-To` (the original's record id), by
/// `WARC-Payload-Digest` (compared by algorithm and bytes, whatever the spelling; a payload is
/// known by the digest its record declared and by its SHA-256, which Quire computes), or by
/// `WARC-Refers-To-Target-URI` with `WARC-Refers-To-Date`; they are tried in that order. The
/// original may come before the revisit or after it (Webrecorder writes revisits first), in the
/// same file or another file of the batch: a revisit found no original yet waits, and is handed
/// back when a payload it names arrives.
///
/// Memory is bounded: the index remembers the last `maxPayloads` payload records (a few short
/// strings each), and the caller keeps at most `maxWaiting` revisits waiting.
struct WARCRevisitIndex {
    /// Payload records remembered (a revisit naming an older one is not resolved).
    static let maxPayloads = 250_000
    /// Revisits that may wait for an original later in the batch at once.
    static let maxWaiting = 10_000

    /// What a revisit names.
    struct Reference: Sendable {
        var refersTo: String?
        var digest: WARCDigest?
        /// The digest as the record spells it.
        var digestText: String?
        var targetURI: String?
        var date: String?

        /// In words, for a failure that finds none of them.
        var description: String {
            var parts: [String] = []
            if let refersTo { parts.append("WARC-Refers-To \(refersTo)") }
            if let digestText { parts.append("payload digest \(digestText)") }
            if let targetURI { parts.append("target \(targetURI)" + (date.map { " of \($0)" } ?? "")) }
            return parts.isEmpty ? "nothing it refers to" : parts.joined(separator: ", ")
        }
    }

    /// A payload: its blob, its size, where its record is (`FILE#OFFSET`, or `in the archive`),
    /// and its digests (its SHA-256 and any digest its record declared).
    typealias Target = (hash: String, size: Int, path: String, digests: [WARCDigest])

    /// The quirk a revisit gets when it declares a payload digest and the original it was matched
    /// to by its other references (`WARC-Refers-To`, or target URI and date) has another digest of
    /// that algorithm: the revisit says it repeats other bytes than the ones it points at. Nil when
    /// they agree, when it declares none, or when the original has no digest of that algorithm to
    /// compare with (not checked).
    /// Returns the supplied fields to add: the quirk in words, and `warc_original_digest` (the
    /// original's digest), which `WARCReferences.ofPayload` reads to keep such a revisit's digest
    /// from naming the payload it was linked to.
    static func digestQuirk(_ reference: Reference, target: Target) -> [[String]] {
        guard let digest = reference.digest else { return [] }
        let comparable = target.digests.filter { $0.algorithm == digest.algorithm }
        guard let theirs = comparable.first, !comparable.contains(digest) else { return [] }
        return [["warc_quirk", "WARC-Payload-Digest \(reference.digestText ?? digest.text) is not the digest of the payload its other references name (\(theirs.text))"],
                [originalDigestField, theirs.text]]
    }

    /// The supplied field that gives a revisit's original's digest when it is not the revisit's own.
    static let originalDigestField = "warc_original_digest"


    private var byRecordID: [String: Target] = [:]
    private var byDigest: [WARCDigest: Target] = [:]
    private var byCapture: [String: Target] = [:]

    /// Revisits waiting for their original, by each thing they name; tokens are the caller's.
    private var waitingByRecordID: [String: [Int]] = [:]
    private var waitingByDigest: [WARCDigest: [Int]] = [:]
    private var waitingByCapture: [String: [Int]] = [:]
    private var waiting: Set<Int> = []
    /// Waiting tokens in the order they came (some since resolved), to find the oldest quickly.
    private var waitOrder: [Int] = []
    private var waitOrderHead = 0
    /// The keys each remembered payload added, oldest first, to forget them in turn.
    private var remembered: [(id: String?, digests: [WARCDigest], capture: String?)] = []
    private var rememberedHead = 0

    /// Record ids as compared: without angle brackets.
    private static func id(_ text: String) -> String {
        var t = text.trimmedWhitespace
        if t.hasPrefix("<") && t.hasSuffix(">") { t = String(t.dropFirst().dropLast()) }
        return t
    }

    /// A capture as compared: its target URI and the digits of its date (to the second).
    private static func capture(_ uri: String, _ date: String) -> String {
        uri + " " + String(date.unicodeScalars.filter { ("0"..."9").contains($0) }.prefix(14).map(Character.init))
    }

    /// The payload `reference` names, if the batch has shown it yet.
    func find(_ reference: Reference) -> Target? {
        if let id = reference.refersTo, let found = byRecordID[Self.id(id)] { return found }
        if let digest = reference.digest, let found = byDigest[digest] { return found }
        if let uri = reference.targetURI, let date = reference.date, let found = byCapture[Self.capture(uri, date)] { return found }
        return nil
    }

    /// Keeps a revisit (known to the caller by `token`) until a payload it names arrives.
    mutating func wait(_ reference: Reference, token: Int) {
        waiting.insert(token)
        waitOrder.append(token)
        if let id = reference.refersTo { waitingByRecordID[Self.id(id), default: []].append(token) }
        if let digest = reference.digest { waitingByDigest[digest, default: []].append(token) }
        if let uri = reference.targetURI, let date = reference.date { waitingByCapture[Self.capture(uri, date), default: []].append(token) }
    }

    /// Adds a payload record, known by its record id, its digests and its capture; returns the
    /// waiting revisits it is the original of, in the order they waited.
    mutating func add(_ target: Target, recordID: String?, uri: String, date: String?) -> [Int] {
        var released: [Int] = []
        func release(_ tokens: [Int]?) {
            for token in tokens ?? [] where waiting.remove(token) != nil { released.append(token) }
        }
        var added: (id: String?, digests: [WARCDigest], capture: String?) = (nil, [], nil)
        if let recordID {
            let id = Self.id(recordID)
            if byRecordID[id] == nil { byRecordID[id] = target; added.id = id }
            if !waiting.isEmpty { release(waitingByRecordID.removeValue(forKey: id)) }
        }
        for digest in target.digests {
            if byDigest[digest] == nil { byDigest[digest] = target; added.digests.append(digest) }
            if !waiting.isEmpty { release(waitingByDigest.removeValue(forKey: digest)) }
        }
        if let date {
            let key = Self.capture(uri, date)
            if byCapture[key] == nil { byCapture[key] = target; added.capture = key }
            if !waiting.isEmpty { release(waitingByCapture.removeValue(forKey: key)) }
        }
        remembered.append(added)
        if remembered.count - rememberedHead > Self.maxPayloads { forgetOldest() }
        return released.sorted()
    }

    /// Forgets the oldest remembered payload record.
    private mutating func forgetOldest() {
        let old = remembered[rememberedHead]
        rememberedHead += 1
        if let id = old.id { byRecordID.removeValue(forKey: id) }
        for digest in old.digests { byDigest.removeValue(forKey: digest) }
        if let capture = old.capture { byCapture.removeValue(forKey: capture) }
        if rememberedHead >= 4096 && rememberedHead * 2 >= remembered.count {
            remembered.removeFirst(rememberedHead)
            rememberedHead = 0
        }
    }

    /// Stops waiting for `token` (the caller gives up on it).
    mutating func giveUp(_ token: Int) { waiting.remove(token) }

    /// How many revisits wait.
    var waitingCount: Int { waiting.count }

    /// The revisit that has waited longest.
    mutating func oldestWaiting() -> Int? {
        while waitOrderHead < waitOrder.count && !waiting.contains(waitOrder[waitOrderHead]) { waitOrderHead += 1 }
        if waitOrderHead >= 4096 && waitOrderHead * 2 >= waitOrder.count {
            waitOrder.removeFirst(waitOrderHead)
            waitOrderHead = 0
        }
        return waitOrderHead < waitOrder.count ? waitOrder[waitOrderHead] : nil
    }

    /// The revisits still waiting, in order.
    var unresolved: [Int] { waiting.sorted() }
}
