/// A failure Quire reports to its user: what kind, a message that names what and where, and the
/// underlying error when there is one (an SQLite or zlib failure, an errno).
public struct QuireError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is; the CLI maps kinds to exit statuses.
    public enum Code: String, Sendable {
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
        /// Input that cannot be used: a bad argument value, a malformed file.
        case invalidInput
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
