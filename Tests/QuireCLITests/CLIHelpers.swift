import Foundation
import TestSupport

/// The `quire` binary SwiftPM built next to this test bundle.
let quireBinary: String = {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    let dir = (exe as NSString).deletingLastPathComponent
    return dir + "/quire"
}()

/// Runs `quire` with `arguments`; `QUIRE_ARCHIVE` is cleared unless given.
@discardableResult
func quire(_ arguments: [String], stdin: [UInt8]? = nil, environment: [String: String] = [:], cwd: String? = nil) throws -> ProcessResult {
    var env = ["QUIRE_ARCHIVE": ""]
    env.merge(environment) { _, new in new }
    return try runProcess(quireBinary, arguments, stdin: stdin, environment: env, currentDirectory: cwd)
}

/// Parses stdout as JSON, failing the test when it is not.
func parseJSON(_ result: ProcessResult) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(result.stdout), options: [.fragmentsAllowed])
}

let samples = repositoryRoot + "/Archives/samples"

/// Starts `quire` with `arguments` in the background, output discarded; the caller waits or kills.
func startQuire(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: quireBinary)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}
