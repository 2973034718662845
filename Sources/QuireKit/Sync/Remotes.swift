/// A named place another copy of this archive is reached at: `quire remote add NAME URL`.
/// Remotes are local to this copy (kept in the `archive` table under the key `remotes`, as a
/// JSON array in the order they were added), never events.
public struct Remote: Sendable, Equatable {
    public let name: String
    /// Where: an archive file, `ssh://…` or `[user@]host:path`, `folder:PATH` or a folder.
    public let url: String
    /// The program to run on an ssh remote (`--remote-quire`; default `quire`).
    public let remoteQuire: String?

    public init(name: String, url: String, remoteQuire: String? = nil) {
        self.name = name
        self.url = url
        self.remoteQuire = remoteQuire
    }

    public var json: JSON {
        var fields: [String: JSON] = ["name": .string(name), "url": .string(url)]
        if let remoteQuire { fields["remote_quire"] = .string(remoteQuire) }
        return .object(fields)
    }
}

/// A remote's name: letters, digits, `.`, `_` and `-`, starting with a letter or digit, so it is
/// never read as a path or URL (those hold `/` or `:`).
func checkRemoteName(_ name: String) throws {
    let allowed = name.utf8.allSatisfy { c in
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
    }
    guard !name.isEmpty, name.utf8.count <= 64, allowed, let first = name.utf8.first, first != 0x2E, first != 0x2D, first != 0x5F else {
        throw QuireError(.badArgument, "'\(name)' cannot be a remote's name: use letters, digits, '.', '_' and '-' (up to 64, starting with a letter or digit)")
    }
}

extension Archive {
    /// Every remote, in the order they were added.
    public func remotes() throws -> [Remote] {
        guard let text = try read({ try db.text("SELECT value FROM archive WHERE key = 'remotes'") }) else { return [] }
        guard let items = (try? JSON.parse(text))?.arrayValue else {
            throw QuireError(.corrupt, "\(path): the list of remotes is not valid JSON")
        }
        return items.compactMap { item in
            guard let name = item["name"]?.stringValue, let url = item["url"]?.stringValue else { return nil }
            return Remote(name: name, url: url, remoteQuire: item["remote_quire"]?.stringValue)
        }
    }

    /// The remote named `name`, if there is one.
    public func remote(named name: String) throws -> Remote? {
        try remotes().first { $0.name == name }
    }

    /// The remote to use when none is named: the `default-remote` setting, else the first one.
    public func defaultRemote() throws -> Remote? {
        let all = try remotes()
        if let name = try setting(.defaultRemote)?.value {
            guard let remote = all.first(where: { $0.name == name }) else {
                throw QuireError(.badSetting, "the default-remote setting names '\(name)', which is not a remote of this archive (quire remote list)")
            }
            return remote
        }
        return all.first
    }

    /// Adds a remote; its name must be new. The URL is checked for its form, not reached.
    public func addRemote(_ remote: Remote) throws {
        try checkRemoteName(remote.name)
        _ = try RemoteLocation(parsing: remote.url, mustExist: false)
        var all = try remotes()
        if all.contains(where: { $0.name == remote.name }) {
            throw QuireError(.refused, "this archive already has a remote named '\(remote.name)' (quire remote remove \(remote.name), or pick another name)")
        }
        all.append(remote)
        try saveRemotes(all)
    }

    /// Removes a remote (what was exchanged with it stays in `quire peers`).
    public func removeRemote(_ name: String) throws {
        var all = try remotes()
        guard let index = all.firstIndex(where: { $0.name == name }) else { throw noRemote(name, all) }
        all.remove(at: index)
        try saveRemotes(all)
    }

    /// Renames a remote; the peer that took its name takes the new one.
    public func renameRemote(_ old: String, to new: String) throws {
        try checkRemoteName(new)
        var all = try remotes()
        guard let index = all.firstIndex(where: { $0.name == old }) else { throw noRemote(old, all) }
        if all.contains(where: { $0.name == new }) { throw QuireError(.refused, "this archive already has a remote named '\(new)'") }
        all[index] = Remote(name: new, url: all[index].url, remoteQuire: all[index].remoteQuire)
        try writing {
            try saveRemotes(all)
            try renamePeer(from: old, to: new, ifNamed: true)
            if try archiveSetting(.defaultRemote) == old { try setArchiveSetting(.defaultRemote, new) }
        }
    }

    /// Sets where a remote's quire program is (`--remote-quire`), or with nil clears it.
    public func setRemoteQuire(_ name: String, _ program: String?) throws {
        var all = try remotes()
        guard let index = all.firstIndex(where: { $0.name == name }) else { throw noRemote(name, all) }
        all[index] = Remote(name: name, url: all[index].url, remoteQuire: program)
        try saveRemotes(all)
    }

    private func noRemote(_ name: String, _ all: [Remote]) -> QuireError {
        QuireError(.notFound, "no remote named '\(name)'" + (all.isEmpty ? "; this archive has none (quire remote add NAME URL)" : "; the remotes are \(all.map(\.name).joined(separator: ", "))"))
    }

    private func saveRemotes(_ all: [Remote]) throws {
        let text = JSON.array(all.map(\.json)).canonical
        try writing {
            try db.run("INSERT INTO archive (key, value) VALUES ('remotes', ?1) ON CONFLICT (key) DO UPDATE SET value = ?1", text)
        }
    }
}
