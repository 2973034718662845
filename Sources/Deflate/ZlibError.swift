/// A zlib failure: the zlib return code, what went wrong in words, and which operation failed.
public struct ZlibError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// The compressed data is damaged (`Z_DATA_ERROR`).
        case corrupt
        /// The input ended before the end of the compressed stream.
        case truncated
        /// Decompression produced more than the caller's cap on output size.
        case outputLimitExceeded
        /// The stream needs a preset dictionary that was not supplied, or the wrong one was given.
        case dictionary
        /// Bytes follow the end of the compressed stream.
        case trailingData
        /// zlib failed for another reason (memory, version, bad parameters).
        case library
    }

    public let kind: Kind
    /// The zlib return code (`Z_DATA_ERROR`, ...), or 0 when the failure was found by this wrapper.
    public let code: Int32
    /// zlib's message (`z_stream.msg`) or this wrapper's.
    public let message: String
    /// The zlib call or operation that failed.
    public let operation: String

    public init(kind: Kind, code: Int32, message: String, operation: String) {
        self.kind = kind
        self.code = code
        self.message = message
        self.operation = operation
    }

    public var description: String {
        code != 0 ? "\(operation): \(message) (zlib code \(code))" : "\(operation): \(message)"
    }
}
