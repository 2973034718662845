import Foundation

/// Helpers the test targets share: running real tools, temporary folders, the shared corpora.

/// What a finished process printed and returned.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: [UInt8]
    public let stderr: String
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs a program (found on PATH when `program` has no slash) and waits for it.
@discardableResult
public func runProcess(_ program: String, _ arguments: [String], stdin: [UInt8]? = nil, environment: [String: String]? = nil,
                       currentDirectory: String? = nil) throws -> ProcessResult {
    // A child that exits before reading all of stdin must not kill the test run with SIGPIPE.
    signal(SIGPIPE, SIG_IGN)
    let process = Process()
    if program.contains("/") {
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
    }
    if let environment {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = inPipe
    try process.run()
    // Read both pipes on other threads so a large output cannot block the child.
    let outData = ReadBox(), errData = ReadBox()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { outData.data = outPipe.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { errData.data = errPipe.fileHandleForReading.readDataToEndOfFile() }
    if let stdin { try? inPipe.fileHandleForWriting.write(contentsOf: Data(stdin)) }
    try? inPipe.fileHandleForWriting.close()
    process.waitUntilExit()
    group.wait()
    return ProcessResult(status: process.terminationStatus, stdout: [UInt8](outData.data),
                         stderr: String(decoding: errData.data, as: UTF8.self))
}

private final class ReadBox: @unchecked Sendable { var data = Data() }

/// Whether a program is on PATH.
public func toolExists(_ name: String) -> Bool {
    (try? runProcess("sh", ["-c", "command -v \(name)"]).status) == 0
}

/// A new empty directory under the system temporary directory, removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ name: String = "quire-test") {
        let base = FileManager.default.temporaryDirectory.path
        path = base + "/\(name)-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// `path/relative`.
    public func file(_ relative: String) -> String { path + "/" + relative }

    /// Writes bytes to `relative`, creating folders on the way; returns the full path.
    @discardableResult
    public func write(_ relative: String, _ bytes: [UInt8]) throws -> String {
        let full = file(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }

    /// Writes text as UTF-8 to `relative`; returns the full path.
    @discardableResult
    public func write(_ relative: String, _ text: String) throws -> String {
        try write(relative, Array(text.utf8))
    }
}

/// The repository's root folder (found from this source file's location).
public let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// `../shared` beside the repository: the design, samples and corpora CI provides.
public let sharedDirectory: String = (repositoryRoot as NSString).deletingLastPathComponent + "/shared"

/// Reads a whole file.
public func readFile(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Deterministic pseudo-random bytes (SplitMix64), so failures reproduce.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(count)
        while out.count < count {
            var word = next()
            for _ in 0..<min(8, count - out.count) {
                out.append(UInt8(word & 0xff))
                word >>= 8
            }
        }
        return out
    }
}
