import Hashing

/// A version's identity: the SHA-256 of the canonical JSON `{"blob":…,"key":…,"parents":[…]}`
/// (parents sorted). The same change made independently in two copies gets the same hash, so
/// sync merges them instead of forking.
public func versionHash(key: String, blob: String, parents: [String]) -> String {
    let json: JSON = .object(["key": .string(key), "blob": .string(blob), "parents": .array(parents.sorted().map { .string($0) })])
    return SHA256.hash(json.canonical).hex
}
