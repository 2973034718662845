#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Runs a program and measures it: wall-clock seconds and peak resident memory (from `wait4`).
struct Measured {
    let seconds: Double
    let peakKiB: Int
    let status: Int32
    let output: String
}

enum Runner {
    /// Runs `arguments[0]` (looked up on PATH) with the rest as arguments.
    /// Standard output is captured (first 64 KiB); standard error goes to the terminal.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:], check: Bool = true) -> Measured {
        var pipe: [Int32] = [0, 0]
        _ = Glibc.pipe(&pipe)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0)=\($1)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
            posix_spawn_file_actions_destroy(&actions)
        }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let rc = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        close(pipe[1])
        guard rc == 0 else {
            close(pipe[0])
            fatalError("cannot run \(arguments[0]): \(String(cString: strerror(rc)))")
        }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(pipe[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            if output.count < 65536 { output += buffer[0..<n] }
        }
        close(pipe[0])
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        if check && exit != 0 {
            FileHandle.standardError.write("command failed (\(exit)): \(arguments.joined(separator: " "))\n".data(using: .utf8)!)
            Foundation.exit(1)
        }
        return Measured(seconds: seconds, peakKiB: Int(usage.ru_maxrss), status: exit, output: String(decoding: output, as: UTF8.self))
    }

    /// Whether a program is on PATH.
    static func exists(_ program: String) -> Bool {
        run(["sh", "-c", "command -v \(program) >/dev/null"], check: false).status == 0
    }

    /// Bytes used by a file or folder (`du -sb`).
    static func diskBytes(_ path: String) -> Int {
        let out = run(["du", "-sb", path]).output
        return Int(out.split(separator: "\t").first ?? "0") ?? 0
    }
}

/// Summary statistics for repeated measurements.
extension Array where Element == Double {
    var median: Double {
        let s = sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}

/// Formatting for the report.
enum Fmt {
    static func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }
    static func mib(_ bytes: Int) -> String { f(Double(bytes) / 1_048_576, 1) + " MiB" }
    static func ratio(_ x: Double) -> String { f(x, 2) + "×" }
}
