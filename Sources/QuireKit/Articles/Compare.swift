/// Two versions of a document compared (`quire diff`).
public struct VersionComparison: Sendable {
    public let key: String
    public let from: VersionInfo
    public let to: VersionInfo
    /// The texts are equal once normalized (same fingerprint), whatever the bytes.
    public let sameText: Bool
    /// Only timestamp or boilerplate lines differ (`TextDiff.isTrivial`).
    public let trivial: Bool
    public let diff: TextDiff

    public var json: JSON {
        ["key": .string(key), "from": from.json, "to": to.json, "same_text": .bool(sameText), "trivial": .bool(trivial),
         "counts": ["added": .int(Int64(diff.added)), "changed": .int(Int64(diff.changed)), "removed": .int(Int64(diff.removed)),
                    "unchanged": .int(Int64(diff.unchanged))],
         "sentences": .array(diff.pieces.map { piece -> JSON in
             switch piece {
             case .same(let s): return ["op": "same", "text": .string(s)]
             case .added(let s): return ["op": "added", "text": .string(s)]
             case .removed(let s): return ["op": "removed", "text": .string(s)]
             case .changed(let old, let new, let words):
                 return ["op": "changed", "old": .string(old), "new": .string(new), "words": .array(words.map { word -> JSON in
                     switch word {
                     case .same(let w): return ["op": "same", "text": .string(w)]
                     case .added(let w): return ["op": "added", "text": .string(w)]
                     case .removed(let w): return ["op": "removed", "text": .string(w)]
                     }
                 })]
             }
         })]
    }
}

extension Archive {
    /// Compares two versions of the document `key`. A version is named by its number (`3` or
    /// `@3`) or a hash prefix; `to` defaults to the current version and `from` to its first
    /// parent (or the version before it).
    public func compare(key: String, from: String? = nil, to: String? = nil) throws -> VersionComparison {
        let versions = try log(key: key)
        func find(_ reference: String) throws -> VersionInfo { try version(of: key, reference) }
        let target = try to.map(find) ?? versions.first(where: \.isCurrent) ?? versions.last!
        let base: VersionInfo
        if let from {
            base = try find(from)
        } else if let parent = target.parents.first, let v = versions.first(where: { $0.hash == parent }) {
            base = v
        } else if target.number > 1 {
            base = versions[target.number - 2]
        } else {
            throw QuireError(.refused, "'\(key)' @\(target.number) has no earlier version to compare with; name two versions")
        }
        let old = try mainText(blob: base.blob), new = try mainText(blob: target.blob)
        return VersionComparison(key: key, from: base, to: target,
                                 sameText: ArticleMetadata.fingerprint(of: old) == ArticleMetadata.fingerprint(of: new),
                                 trivial: TextDiff.isTrivial(old: old, new: new), diff: TextDiff(old: old, new: new))
    }

    /// For each of a document's versions (as `log` lists them): whether its only change from its
    /// first parent is a timestamp or boilerplate line (`TextDiff.isTrivial`); nil for a version
    /// without a parent, one with its parent's text, or bytes this copy does not serve. Reads the
    /// texts only; no diff is computed.
    public func trivialChanges(_ versions: [VersionInfo]) -> [Bool?] {
        let byHash = Dictionary(versions.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        return versions.map { v in
            guard !v.sameText, let parent = v.parents.first.flatMap({ byHash[$0] }),
                  let old = try? mainText(blob: parent.blob), let new = try? mainText(blob: v.blob) else { return nil }
            return TextDiff.isTrivial(old: old, new: new)
        }
    }
}
