import Hashing

/// A version's identity: the SHA-256 of the canonical JSON `{"blob":…,"key":…,"parents":[…]}`
/// (parents sorted). The same change made independently in two copies gets the same hash, so
/// sync merges them instead of forking.
public func versionHash(key: String, blob: String, parents: [String]) -> String {
    // The canonical JSON written directly (keys in byte order: blob, key, parents), the same
    // bytes `JSON.canonical` gives for that object, without building it.
    var out: [UInt8] = []
    out.reserveCapacity(96 + key.utf8.count + parents.count * 67)
    out += Array(#"{"blob":"#.utf8)
    JSON.writeString(blob, to: &out)
    out += Array(#","key":"#.utf8)
    JSON.writeString(key, to: &out)
    out += Array(#","parents":["#.utf8)
    for (i, parent) in parents.sorted().enumerated() {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        JSON.writeString(parent, to: &out)
    }
    out += Array("]}".utf8)
    return SHA256.hash(out).hex
}
