import Foundation
import Hashing
import SQLite
import TestSupport
@testable import QuireKit

/// A fresh archive in its own temporary directory.
struct Scratch {
    let dir: TemporaryDirectory
    let archive: Archive
    var path: String { archive.path }

    init(_ name: String = "kit") throws {
        dir = TemporaryDirectory(name)
        archive = try Archive.create(at: dir.file("test.quire"))
    }
}

/// Options for quick tests: one thread unless a test asks for more.
func quietOptions(label: String? = nil) -> IngestOptions {
    var o = IngestOptions()
    o.label = label
    return o
}

/// The SHA-256 of a file, from sha256sum(1).
func sha256sum(_ path: String) throws -> String {
    String(try runProcess("sha256sum", [path]).stdoutText.prefix(64))
}

/// The SHA-256 of a whole file's bytes, from our implementation.
func fileHash(_ path: String) throws -> String {
    SHA256.hash(try readFile(path)).hex
}

/// Every regular file under `root`, relative paths, sorted.
func filesUnder(_ root: String) -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: root)!
    var out: [String] = []
    while let p = enumerator.nextObject() as? String {
        var isDir: ObjCBool = false
        FileManager.default.fileExists(atPath: root + "/" + p, isDirectory: &isDir)
        if !isDir.boolValue { out.append(p) }
    }
    return out.sorted()
}

extension Archive {
    /// Recomputes every event's chain hash and checks each origin's seqs run 1, 2, 3, ...
    /// Returns the problems found (empty when the log is intact).
    func chainProblems() throws -> [String] {
        var problems: [String] = []
        var tips: [String: ChainTip] = [:]
        try db.forEach("SELECT o.archive, e.seq, e.kind, e.at, e.payload, e.hash, e.payload_size FROM events e JOIN origins o ON o.id = e.origin ORDER BY o.archive, e.seq") { s in
            let origin = s.text(0), seq = s.int(1)
            let tip = tips[origin] ?? ChainTip(seq: 0, hash: Event.genesis)
            if seq != tip.seq + 1 { problems.append("\(origin): seq \(seq) follows \(tip.seq)") }
            let payload = try EventPayload.text(s, payload: 4, size: 6)
            let expected = Event.chainHash(previous: tip.hash, origin: origin, seq: seq, kind: s.text(2), at: s.text(3), payload: payload)
            if expected != s.text(5) { problems.append("\(origin) #\(seq): hash mismatch") }
            tips[origin] = ChainTip(seq: seq, hash: s.text(5))
        }
        return problems
    }

    /// A snapshot of everything visible (documents, versions, sightings, batches), for comparing states.
    func visibleState() throws -> String {
        var lines: [String] = []
        for d in try documents() {
            lines.append("doc \(d.json.canonical)")
            for v in try log(key: d.key) { lines.append("  v \(v.json.canonical)") }
        }
        for b in try batches() {
            lines.append("batch \(b.json.canonical)")
            for s in try sightings(batch: b.id) { lines.append("  s \(s.json.canonical)") }
        }
        return lines.joined(separator: "\n")
    }
}
