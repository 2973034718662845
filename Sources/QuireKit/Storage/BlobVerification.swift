import Deflate
import Foundation
import Hashing
import SQLite

/// Checks of what the blob store holds, for `verify`: the storage facts of every row (chunks
/// complete, bases and depths by the rules in `BlobEncoding`), and every held blob's bytes against
/// its hash. A value over one connection; two threads can share one `BlobGraph` and each check
/// whole trees of it with their own connection.
struct BlobVerification {
    let store: BlobStore
    /// Each problem: the blob (its hash, or a count) and what is wrong.
    private(set) var problems: [(subject: String, message: String)] = []
    /// Blobs stored without bytes (redacted), by hash: the caller checks a redaction explains each.
    private(set) var redacted: [String] = []
    private(set) var blobsChecked = 0
    private(set) var bytesChecked = 0

    init(store: BlobStore) { self.store = store }

    private mutating func problem(_ subject: String, _ message: String) { problems.append((subject, message)) }

    // MARK: Storage facts

    /// Every row's chunks add up to its stored size and are numbered without gaps; a redacted row
    /// has no chunks; a base holds bytes and sits one level below; no chain is over the limit.
    mutating func checkFacts() throws {
        try store.db.forEach("""
            SELECT b.hash, b.encoding, b.stored_size, coalesce(sum(length(c.data)), 0), count(c.n), coalesce(max(c.n), -1), b.base
            FROM blobs b LEFT JOIN blob_chunks c ON c.blob = b.id GROUP BY b.id
            """) { s in
            let (hash, stored, sum, count, last) = (s.text(0), s.int(2), s.int(3), s.int(4), s.int(5))
            switch StoredForm(encoding: s.text(1), base: s.optionalInt(6)) {
            case .raw, .zlib, .delta:
                if sum != stored { problem(hash, "its chunks hold \(sum) bytes but it should have \(stored) stored bytes (chunks missing or altered)") }
                if count != last + 1 { problem(hash, "its chunks are numbered 0-\(last) but there are \(count) (a chunk is missing)") }
            case .redacted:
                redacted.append(hash)
                if count > 0 { problem(hash, "it is redacted but \(count) chunks of it remain") }
            case .unknown(let name):
                problem(hash, "unknown encoding '\(name)'")
            }
        }
        try store.db.forEach("""
            SELECT b.hash, p.hash, p.encoding, b.depth, p.depth FROM blobs b JOIN blobs p ON p.id = b.base
            WHERE NOT (\(StoredForm.holdsBytesSQL("p"))) OR b.depth <> p.depth + 1
               OR b.encoding NOT IN ('\(StoredForm.Name.zlib)', '\(StoredForm.Name.delta)')
            """) { s in
            problem(s.text(0), "its base \(s.text(1)) is \(s.text(2)) at depth \(s.int(4)), but it is stored at depth \(s.int(3)) against it")
        }
        try store.db.forEach("SELECT hash, depth FROM blobs WHERE depth > ?", [BlobEncoding.maxDepth]) {
            problem($0.text(0), "its chain of bases is \($0.int(1)) deep, over the limit of \(BlobEncoding.maxDepth)")
        }
    }

    // MARK: Bytes

    /// Loads which held blobs are compressed against which (`BlobGraph`); their other facts are
    /// read as each is checked.
    func loadGraph() throws -> BlobGraph {
        var ids: [Int] = [], bases: [Int] = [], deltas: [Bool] = []
        var total = 0
        try store.db.forEach("SELECT id, size, encoding, base FROM blobs b WHERE \(StoredForm.holdsBytesSQL("b")) ORDER BY id") { s in
            ids.append(s.int(0))
            total += s.int(1)
            let form = StoredForm(encoding: s.text(2), base: s.optionalInt(3))
            bases.append(form.base ?? 0)
            if case .delta = form { deltas.append(true) } else { deltas.append(false) }
        }
        return BlobGraph(ids: ids, bases: bases, deltas: deltas, total: total)
    }

    /// Takes trees of blobs (a self-contained blob and every blob built on it) from `graph` until
    /// none is left, checking each blob base first, so each base's bytes (its first 32 KiB for a
    /// preset dictionary, all of them for a delta) are the ones just produced, and at most one
    /// base per level of the chain is kept. `progress` gets the bytes both threads have checked
    /// and the total.
    mutating func checkTrees(_ graph: BlobGraph, progress: ((Int, Int) -> Void)?) {
        while let root = graph.nextRoot() {
            var stack: [(blob: Int, dictionary: [UInt8]?, baseProblem: String?)] = [(root, nil, nil)]
            var visited = 0
            let bytesBefore = bytesChecked
            while let (index, dictionary, baseProblem) = stack.popLast() {
                visited += 1
                let blob: BlobRecord
                do {
                    guard let record = try store.record(id: graph.ids[index]) else { continue }
                    blob = record
                } catch {
                    problem("blob row \(graph.ids[index])", "cannot be read (\(error))")
                    continue
                }
                let children = graph.children(of: index)
                let keep = children.contains { graph.deltas[$0] } ? .max : children.isEmpty ? 0 : BlobEncoding.dictionarySize
                let outcome = checkBytes(blob, base: dictionary, keep: keep, baseProblem: baseProblem)
                for child in children.reversed() {
                    var given = outcome.prefix
                    if !graph.deltas[child], given.count > BlobEncoding.dictionarySize {
                        given = Array(given.prefix(BlobEncoding.dictionarySize))
                    }
                    stack.append((child, given, outcome.ok ? nil : "its base \(blob.hash) is damaged"))
                }
            }
            let done = graph.finished(blobs: visited, bytes: bytesChecked - bytesBefore)
            progress?(done, graph.total)
        }
    }

    /// After every tree is checked: blobs no tree reached are in a cycle of bases.
    static func unreached(_ graph: BlobGraph) -> (subject: String, message: String)? {
        guard graph.visited < graph.count else { return nil }
        return ("\(graph.count - graph.visited) blobs", "their chains of bases form a cycle and cannot be read")
    }

    /// Reads one blob's chunks (inflating with `base` as the dictionary, or applying the delta
    /// to `base`), compares size and hash, and keeps the first `keep` bytes for the blobs built on it.
    private mutating func checkBytes(_ blob: BlobRecord, base: [UInt8]?, keep: Int, baseProblem: String?) -> (ok: Bool, prefix: [UInt8]) {
        var hasher = SHA256()
        var produced = 0
        var prefix: [UInt8] = []
        func take(_ piece: UnsafeRawBufferPointer) {
            hasher.update(piece)
            if produced < keep {
                prefix += piece.prefix(keep - produced)
            }
            produced += piece.count
        }
        let dictionary = base
        blobsChecked += 1
        do {
            if case .delta = blob.form {
                guard let base else { throw QuireError(.corrupt, "its base is missing") }
                let bytes = try BlobStore.applyDelta(try store.storedBytes(blob), to: base, for: blob)
                bytes.withUnsafeBytes { take($0) }
            } else if case .zlib = blob.form {
                let inflater = try Inflater(format: .zlib, dictionary: dictionary, outputLimit: blob.size)
                try store.forEachChunk(blob.id) { chunk in
                    let used = try inflater.decompress(chunk, output: take)
                    if used < chunk.count { throw QuireError(.corrupt, "bytes follow the end of its compressed stream") }
                    return true
                }
                try inflater.finish()
            } else {
                try store.forEachChunk(blob.id) { take($0); return true }
            }
        } catch {
            let cause = (error as? ZlibError).map { "\($0)" } ?? (error as? QuireError)?.message ?? "\(error)"
            problem(blob.hash, "cannot be decompressed (\(cause))" + (baseProblem.map { "; \($0)" } ?? ""))
            bytesChecked += produced
            return (false, prefix)
        }
        bytesChecked += produced
        let actual = hasher.finalize().hex
        if produced != blob.size {
            problem(blob.hash, "holds \(produced) bytes but should hold \(blob.size)")
            return (false, prefix)
        }
        if actual != blob.hash {
            problem(blob.hash, "its bytes hash to \(actual)" + (baseProblem.map { "; \($0)" } ?? ""))
            return (false, prefix)
        }
        return (true, prefix)
    }
}

/// The blobs to check, shared by the verifying threads: each takes whole trees (a root and the
/// blobs built on it), so every dictionary is produced by the thread that needs it.
///
/// Held compactly, about 25 bytes a blob (a million blobs in 25 MB): each blob is its place in
/// `ids`, its children are a range of `childList`; the rest of a blob's row is read when it is
/// checked.
final class BlobGraph: @unchecked Sendable {
    /// The held blobs' row ids, ascending.
    let ids: [Int]
    /// Whether each blob is a delta (its base's whole bytes are needed, not a dictionary's worth).
    let deltas: [Bool]
    /// The original bytes of every held blob.
    let total: Int
    /// Blobs built on no held blob (self-contained, or whose base is gone: read and reported as
    /// if they had none).
    private(set) var roots: [Int32] = []
    /// Blob `i`'s children (the blobs stored against it) are `childList[childStart[i]..<childStart[i + 1]]`, in id order.
    private var childStart: [Int32]
    private var childList: [Int32]
    private let lock = NSLock()
    private var next = 0
    private(set) var visited = 0
    private var bytes = 0

    var count: Int { ids.count }

    /// `bases[i]`: the row id blob `ids[i]` is stored against (0: none); `ids` ascending.
    init(ids: [Int], bases: [Int], deltas: [Bool], total: Int) {
        self.ids = ids
        self.deltas = deltas
        self.total = total
        var parent = [Int32](repeating: -1, count: ids.count)
        var counts = [Int32](repeating: 0, count: ids.count + 1)
        for i in ids.indices where bases[i] != 0 {
            if let base = ids.sortedIndex(of: bases[i]) {
                parent[i] = Int32(base)
                counts[base + 1] += 1
            }
        }
        for i in ids.indices { counts[i + 1] += counts[i] }
        childStart = counts
        childList = [Int32](repeating: 0, count: Int(counts[ids.count]))
        var filled = counts
        for i in ids.indices {
            if parent[i] < 0 {
                roots.append(Int32(i))
            } else {
                let p = Int(parent[i])
                childList[Int(filled[p])] = Int32(i)
                filled[p] += 1
            }
        }
    }

    /// The blobs stored against blob `index`, in id order.
    func children(of index: Int) -> [Int] {
        (Int(childStart[index])..<Int(childStart[index + 1])).map { Int(childList[$0]) }
    }

    /// The next tree's root, or nil when all are taken.
    func nextRoot() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < roots.count else { return nil }
        next += 1
        return Int(roots[next - 1])
    }

    /// Records a finished tree; returns the bytes checked so far by every thread.
    func finished(blobs count: Int, bytes added: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        visited += count
        bytes += added
        return bytes
    }
}
