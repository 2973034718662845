/// A failure Quire reports to its user: what kind, a message that names what and where, and the
/// underlying error when there is one (an SQLite or zlib failure, an errno).
public struct QuireError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; the CLI maps each to an exit status (`exitStatus`, and the
    /// table in docs/cli.md).
    public enum Code: String, Sendable, CaseIterable {
        /// The archive file does not exist.
        case archiveMissing
        /// `init` found a file already there.
        case archiveExists
        /// The file is not a Quire archive (another database, text, empty).
        case notAnArchive
        /// The archive was written by a newer Quire (schema version too high).
        case newerSchema
        /// A key, hash, batch or version that the archive does not hold.
        case notFound
        /// A hash prefix or name that matches more than one thing.
        case ambiguous
        /// A value given on the command line (or to the API) that cannot be used: a search
        /// without words, a redaction without a reason.
        case badArgument
        /// A setting that cannot be used: an environment variable or configuration value.
        case badSetting
        /// An input file that cannot be used: a state file, a metadata file, damage in a WARC file.
        case badFile
        /// A bundle that is not one, is damaged, or cannot be imported into this archive.
        case badBundle
        /// The archive's state does not allow the request: a blob already redacted, one not in
        /// quarantine, a document with no fork to resolve, a folder that is not empty.
        case refused
        /// Reading or writing a file failed.
        case io
        /// The archive's database failed (locked, full, damaged).
        case database
        /// Stored data does not match what it claims to be.
        case corrupt
        /// Content this copy does not serve: redacted here, or hidden by a redaction from another copy.
        case redacted
    }

    public let code: Code

    /// The exit status the command-line tool gives for this failure: 64 (a command-line mistake,
    /// as swift-argument-parser and sysexits.h have it) for a bad argument, 1 for every other
    /// failure.
    public var exitStatus: Int32 {
        switch code {
        case .badArgument: return 64
        default: return 1
        }
    }
    public let message: String
    /// The error that caused this one, if any.
    public let underlying: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let underlying { return "\(message): \(underlying)" }
        return message
    }
}
