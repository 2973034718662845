import Hashing
import SQLite

/// What a reference on the command line names: a version of a document, or a blob.
public enum ArchiveObject: Sendable, Equatable {
    case version(VersionInfo)
    case blob(BlobInfo)

    /// The blob holding the bytes.
    public var blobHash: String {
        switch self {
        case .version(let v): return v.blob
        case .blob(let b): return b.hash
        }
    }
}

extension Archive {
    /// Resolves `KEY`, `KEY@N` (the Nth version, oldest first, from 1) or a hash prefix of at
    /// least 4 hex digits (a blob or a version). An exact key wins over a hash prefix; a prefix
    /// that matches several objects is an error that lists them.
    public func resolve(_ reference: String) throws -> ArchiveObject {
        try read {
            if let document = try db.int("SELECT id FROM documents WHERE key = ?", reference) {
                guard let current = try versions(document: document).first(where: \.isCurrent) else {
                    throw QuireError(.notFound, "document '\(reference)' has no versions")
                }
                return .version(current)
            }
            if let at = reference.lastIndex(of: "@"), let n = Int(reference[reference.index(after: at)...]),
               let document = try db.int("SELECT id FROM documents WHERE key = ?", String(reference[..<at])) {
                let all = try versions(document: document)
                guard n >= 1 && n <= all.count else {
                    throw QuireError(.notFound, "document '\(reference[..<at])' has versions 1 to \(all.count), not \(n)")
                }
                return .version(all[n - 1])
            }
            let prefix = reference.lowercased()
            guard prefix.count >= 4, SHA256Digest.isHexPrefix(prefix) else {
                throw QuireError(.notFound, "no document with key '\(reference)', and it is not a hash prefix (4 to 64 hex digits)")
            }
            let upper = prefix + String(repeating: "g", count: 1)   // every hex string with the prefix sorts below this
            let blobs = try db.rows("SELECT hash FROM blobs WHERE hash >= ? AND hash < ? LIMIT 11", [prefix, upper]) { $0.text(0) }
            let versionHashes = try db.rows("SELECT hash FROM versions WHERE hash >= ? AND hash < ? LIMIT 11", [prefix, upper]) { $0.text(0) }
            let candidates = blobs.map { "blob \($0)" } + versionHashes.map { "version \($0)" }
            if candidates.count > 1 {
                throw QuireError(.ambiguous, "hash prefix '\(reference)' is ambiguous; it matches:\n  " + candidates.prefix(10).joined(separator: "\n  "))
            }
            if let hash = blobs.first, let info = try blobInfo(hash: hash) { return .blob(info) }
            if let hash = versionHashes.first,
               let document = try db.int("SELECT document FROM versions WHERE hash = ?", hash),
               let version = try versions(document: document).first(where: { $0.hash == hash }) {
                return .version(version)
            }
            throw QuireError(.notFound, "no blob, version or document matches '\(reference)'")
        }
    }

    /// A version of the document `key` named the one way every command accepts: its number
    /// (`2`), `@2`, `KEY@2`, or a hash prefix (at least 4 hex digits) of the version or of its
    /// blob. An unknown number or prefix is an error naming the versions there are.
    public func version(of key: String, _ reference: String) throws -> VersionInfo {
        let versions = try log(key: key)
        var r = reference
        if r.hasPrefix(key + "@") { r = String(r.dropFirst(key.count)) }
        if r.hasPrefix("@") { r.removeFirst() }
        if let n = Int(r) {
            guard n >= 1 && n <= versions.count else {
                throw QuireError(.notFound, "document '\(key)' has versions 1 to \(versions.count), not \(n)")
            }
            return versions[n - 1]
        }
        let prefix = r.lowercased()
        let matches = versions.filter { $0.hash.hasPrefix(prefix) || $0.blob.hasPrefix(prefix) }
        guard prefix.count >= 4, SHA256Digest.isHexPrefix(prefix), matches.count == 1 else {
            throw QuireError(matches.count > 1 ? .ambiguous : .notFound,
                             "'\(reference)' names no single version of '\(key)' (give N, @N, KEY@N or a hash prefix of 4 or more digits; it has versions 1 to \(versions.count))")
        }
        return matches[0]
    }

    /// Streams the exact original bytes of a blob to `output`, checking them against the hash as
    /// they go; a mismatch is reported after the last byte (the output is then not trustworthy).
    public func writeBlob(hash: String, to output: (UnsafeRawBufferPointer) throws -> Void) throws {
        try read {
            guard let blob = try blobs.record(hash: hash) else {
                throw QuireError(.notFound, "the archive holds no blob \(hash)")
            }
            try checkServed(blob)
            var hasher = SHA256()
            try blobs.read(blob) { piece in
                hasher.update(piece)
                try output(piece)
            }
            let actual = hasher.finalize().hex
            if actual != hash {
                throw QuireError(.corrupt, "blob \(hash) is damaged: its stored bytes hash to \(actual)")
            }
        }
    }

    /// A blob's whole original bytes, checked against its hash. For small blobs.
    public func blobBytes(hash: String) throws -> [UInt8] {
        var out = [UInt8]()
        try writeBlob(hash: hash) { out.append(contentsOf: $0) }
        return out
    }
}
