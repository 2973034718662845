#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A setting `quire config` knows. Each is kept per archive (in the archive's `archive` table, as
/// `setting.<name>`) or for the user (in `$XDG_CONFIG_HOME/quire/config`); the archive's value
/// wins over the user's.
public enum SettingKey: String, CaseIterable, Sendable {
    /// Who is archiving, recorded in batches, bundles and imports (`QUIRE_AGENT` wins over it).
    case agent
    /// The `--source` of an ingest that names none.
    case source
    /// The remote `pull`, `push`, `sync` and `status` use when none is named (else the first remote).
    case defaultRemote = "default-remote"
    /// The key bundles will be signed with (stored only, for now).
    case signingKey = "signing-key"

    /// What the key is for, in `quire config --help` and errors.
    public var meaning: String {
        switch self {
        case .agent: return "who is archiving (default: user@host; QUIRE_AGENT overrides it)"
        case .source: return "the --source of ingests that give none"
        case .defaultRemote: return "the remote used when none is named (default: the first remote)"
        case .signingKey: return "the SSH key that signs batches, imports, redactions and merges (as QUIRE_SIGNING_KEY)"
        }
    }

    /// The key named `name`, or a `badArgument` error listing the known ones.
    public init(named name: String) throws {
        guard let key = SettingKey(rawValue: name) else {
            throw QuireError(.badArgument, "unknown setting '\(name)'; the settings are \(SettingKey.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = key
    }

    /// Checks a value before it is stored: one line, not empty.
    func check(_ value: String) throws {
        guard !value.isEmpty, !value.contains("\n"), !value.contains("\r") else {
            throw QuireError(.badArgument, "the value of \(rawValue) must be one line of text, not empty")
        }
        if self == .defaultRemote { try checkRemoteName(value) }
    }
}

/// Where a setting's value came from.
public enum SettingScope: String, Sendable {
    case archive, user
}

/// The user's settings file: `$XDG_CONFIG_HOME/quire/config`, else `~/.config/quire/config`.
/// Lines `key = value`; `#` starts a comment line. Rewritten whole, by rename, when changed.
public enum UserSettings {
    /// The file's path.
    public static var path: String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/quire/config" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/quire/config"
    }

    /// Every setting in the file (none when it does not exist). A line that is not
    /// `key = value` with a known key is an error naming the file and line.
    public static func load() throws -> [SettingKey: String] {
        let path = self.path
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        guard let text = String(data: data, encoding: .utf8) else { throw QuireError(.badSetting, "\(path) is not UTF-8 text") }
        var values: [SettingKey: String] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "="), let key = SettingKey(rawValue: line[..<eq].trimmingCharacters(in: .whitespaces)) else {
                throw QuireError(.badSetting, "\(path) line \(number + 1): expected 'key = value' with a key among \(SettingKey.allCases.map(\.rawValue).joined(separator: ", ")), found '\(line)'")
            }
            values[key] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        return values
    }

    /// Sets (or with nil removes) one setting, rewriting the file by rename.
    public static func set(_ key: SettingKey, _ value: String?) throws {
        if let value { try key.check(value) }
        var values = try load()
        values[key] = value
        let path = self.path
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw QuireError(.io, "cannot make the folder \(directory) for the settings file: \(error.localizedDescription)")
        }
        var text = "# quire settings (quire config --global KEY VALUE)\n"
        for key in SettingKey.allCases { if let v = values[key] { text += "\(key.rawValue) = \(v)\n" } }
        try writeFileAtomically(path, replace: true) { write in try Array(text.utf8).withUnsafeBytes { try write($0) } }
    }
}

extension Archive {
    /// The `archive` table's key for a setting.
    private static func settingKey(_ key: SettingKey) -> String { "setting." + key.rawValue }

    /// This archive's own value of a setting (not the user's).
    public func archiveSetting(_ key: SettingKey) throws -> String? {
        try read { try db.text("SELECT value FROM archive WHERE key = ?", Self.settingKey(key)) }
    }

    /// Sets (or with nil removes) this archive's own value of a setting. Local: not an event,
    /// never sent to other copies.
    public func setArchiveSetting(_ key: SettingKey, _ value: String?) throws {
        if let value { try key.check(value) }
        try writing {
            if let value {
                try db.run("INSERT INTO archive (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2", Self.settingKey(key), value)
            } else {
                try db.run("DELETE FROM archive WHERE key = ?", Self.settingKey(key))
            }
        }
    }

    /// The value in force: this archive's, else the user's; with where it came from.
    public func setting(_ key: SettingKey) throws -> (value: String, scope: SettingScope)? {
        if let value = try archiveSetting(key) { return (value, .archive) }
        if let value = try UserSettings.load()[key] { return (value, .user) }
        return nil
    }

    /// Runs `body` in a write transaction, or inside the one already open.
    func writing<T>(_ body: () throws -> T) throws -> T {
        db.isInTransaction ? try body() : try write(body)
    }

    /// Puts this archive's settings in force for the process: the agent recorded from now on.
    public func applySettings() throws {
        Identity.configuredAgent = try setting(.agent)?.value
    }
}
