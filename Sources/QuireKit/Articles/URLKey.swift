/// Canonical URLs as document keys: scheme and host lowercased, default ports, fragment and
/// `utm_*` tracking parameters dropped; path and the other parameters kept as they are.
public enum URLKey {
    /// The normalized form of an absolute http(s) URL, or nil when `text` is not one.
    public static func normalize(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let sep = trimmed.range(of: "://") else { return nil }
        let scheme = trimmed[..<sep.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = trimmed[sep.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var host = rest[..<authorityEnd].lowercased()
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "\"" }) else { return nil }
        if let at = host.lastIndex(of: "@") { host = String(host[host.index(after: at)...]) }
        if scheme == "http" && host.hasSuffix(":80") { host.removeLast(3) }
        if scheme == "https" && host.hasSuffix(":443") { host.removeLast(4) }
        var path = String(rest[authorityEnd...])
        var query = ""
        if let q = path.firstIndex(of: "?") {
            query = String(path[path.index(after: q)...])
            path = String(path[..<q])
        }
        if path.isEmpty { path = "/" }
        let kept = query.split(separator: "&", omittingEmptySubsequences: true).filter { !$0.lowercased().hasPrefix("utm_") }
        return scheme + "://" + host + path + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }
}
