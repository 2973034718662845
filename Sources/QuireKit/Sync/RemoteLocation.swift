#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where a remote URL points, and so how it is reached (docs/remotes.md):
/// - an archive file: opened directly, as `sync` always did;
/// - ssh: `ssh://[user@]host[:port]/path` or `[user@]host:path`, through `quire serve --stdio`;
/// - a drop folder: `folder:PATH`, or a path that is a folder;
/// - a bundle file (only as the source of `clone`).
public enum RemoteLocation: Sendable, Equatable {
    case archiveFile(String)
    case ssh(SSHAddress)
    case folder(String)
    case bundleFile(String)

    /// Reads a URL. With `mustExist`, a local path must name an existing archive, folder or
    /// (`allowBundle`) bundle; otherwise its form alone decides (a path not yet there is an archive file).
    public init(parsing url: String, mustExist: Bool = true, allowBundle: Bool = false) throws {
        guard !url.isEmpty else { throw QuireError(.badArgument, "an empty remote URL") }
        if url.hasPrefix("folder:") {
            let path = String(url.dropFirst("folder:".count))
            guard !path.isEmpty else { throw QuireError(.badArgument, "'\(url)' names no folder (folder:PATH)") }
            self = .folder(path)
            return
        }
        if url.hasPrefix("ssh://") {
            self = .ssh(try SSHAddress(sshURL: url))
            return
        }
        var local = url
        if url.hasPrefix("file://") { local = String(url.dropFirst("file://".count)) }
        var st = stat()
        if stat(local, &st) == 0 {
            if (st.st_mode & S_IFMT) == S_IFDIR { self = .folder(local); return }
            if allowBundle, Self.startsWith(local, BundleFormat.magic) { self = .bundleFile(local); return }
            self = .archiveFile(local)
            return
        }
        if !url.hasPrefix("file://"), let address = SSHAddress(scpLike: url) {
            self = .ssh(address)
            return
        }
        if mustExist {
            throw QuireError(.notFound, "'\(url)' is neither a remote of this archive nor an archive file or folder that exists (a remote is added with `quire remote add NAME URL`; URLs: an archive file, ssh://host/path or host:path, folder:PATH)")
        }
        self = .archiveFile(local)
    }

    /// Whether the file at `path` starts with `bytes`.
    static func startsWith(_ path: String, _ bytes: [UInt8]) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return [UInt8]((try? handle.read(upToCount: bytes.count)) ?? Data()) == bytes
    }

    /// The last word of the path, for naming a clone: `team` for `host:/srv/team.quire`.
    public var baseName: String {
        let path: String
        switch self {
        case .archiveFile(let p), .folder(let p), .bundleFile(let p): path = p
        case .ssh(let a): path = a.path
        }
        var name = (path as NSString).lastPathComponent
        for suffix in [".quire", ".bundle"] where name.hasSuffix(suffix) && name.count > suffix.count { name.removeLast(suffix.count) }
        return name.isEmpty || name == "/" || name == "." || name == ".." ? "clone" : name
    }
}

/// An ssh remote: who, where, and the archive's path there.
public struct SSHAddress: Sendable, Equatable {
    public let user: String?
    public let host: String
    public let port: Int?
    /// The archive's path on the host (relative paths are relative to the login folder).
    public let path: String

    /// `ssh://[user@]host[:port]/path` (`/~/x` is `~/x`, as git has it).
    init(sshURL url: String) throws {
        let rest = url.dropFirst("ssh://".count)
        guard let slash = rest.firstIndex(of: "/") else {
            throw QuireError(.badArgument, "'\(url)' names no archive path (ssh://[user@]host[:port]/path)")
        }
        var authority = String(rest[..<slash])
        var path = String(rest[slash...])
        if path.hasPrefix("/~") { path.removeFirst() }
        var user: String? = nil
        if let at = authority.lastIndex(of: "@") {
            user = String(authority[..<at])
            authority = String(authority[authority.index(after: at)...])
        }
        var port: Int? = nil
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else {
                throw QuireError(.badArgument, "'\(url)' has a port that is not a number from 1 to 65535")
            }
            port = p
            authority = String(authority[..<colon])
        }
        if authority.hasPrefix("[") && authority.hasSuffix("]") { authority = String(authority.dropFirst().dropLast()) }
        guard !authority.isEmpty, path.count > 1, !authority.hasPrefix("-"), user.map({ !$0.isEmpty && !$0.hasPrefix("-") }) ?? true else {
            throw QuireError(.badArgument, "'\(url)' is not an ssh URL of the form ssh://[user@]host[:port]/path")
        }
        self.init(user: user, host: authority, port: port, path: path)
    }

    /// `[user@]host:path`, when the text before the first `:` holds no `/` (else it is a path).
    init?(scpLike url: String) {
        guard let colon = url.firstIndex(of: ":") else { return nil }
        var authority = String(url[..<colon])
        let path = String(url[url.index(after: colon)...])
        guard !authority.isEmpty, !authority.contains("/"), !path.isEmpty, !authority.hasPrefix("-") else { return nil }
        var user: String? = nil
        if let at = authority.lastIndex(of: "@") {
            user = String(authority[..<at])
            authority = String(authority[authority.index(after: at)...])
            guard let u = user, !u.isEmpty, !u.hasPrefix("-"), !authority.isEmpty else { return nil }
        }
        self.init(user: user, host: authority, port: nil, path: path)
    }

    init(user: String?, host: String, port: Int?, path: String) {
        self.user = user
        self.host = host
        self.port = port
        self.path = path
    }

    /// `user@host` or `host`, as ssh takes it.
    public var destination: String { user.map { "\($0)@\(host)" } ?? host }

    /// The address as people write it.
    public var display: String {
        port == nil ? "\(destination):\(path)" : "ssh://\(destination):\(port!)\(path.hasPrefix("/") ? "" : "/~/")\(path)"
    }
}
