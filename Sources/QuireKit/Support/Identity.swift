#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Who and where: the facts Quire records with every batch and event.
public enum Identity {
    /// This program's name and version, recorded as the tool in every batch.
    public static let tool = "quire 0.1.0"

    /// The host name (`gethostname`).
    public static var host: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown-host" }
        return String(cString: buffer)
    }

    /// The user name: `$USER`, `$LOGNAME`, else the password database, else the uid.
    public static var user: String {
        for name in ["USER", "LOGNAME"] {
            if let value = getenv(name), let s = String(validatingCString: value), !s.isEmpty { return s }
        }
        if let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "uid\(getuid())"
    }

    /// Who is recording, when no `--agent` is given: `QUIRE_AGENT`, else the `agent` setting
    /// in force (`configuredAgent`, which the command line sets from `quire config`), else `user@host`.
    public static var defaultAgent: String {
        if let value = getenv("QUIRE_AGENT"), let s = String(validatingCString: value), !s.isEmpty { return s }
        return configuredAgent ?? "\(user)@\(host)"
    }

    /// The `agent` setting of the archive in use (or the user's), set once the archive is open
    /// (`Archive.applySettings`); nil: none.
    public static var configuredAgent: String? {
        get { agentSetting.withLock { $0 } }
        set { agentSetting.withLock { $0 = newValue } }
    }
    private static let agentSetting = Mutex<String?>(nil)

    /// A new random identifier (UUID version 4, lowercase).
    public static func newUUID() -> String { UUID().uuidString.lowercased() }
}
