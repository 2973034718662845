import Foundation

/// A description of the machine a benchmark ran on, for the report.
enum Machine {
    static func describe() -> [String] {
        func first(_ command: String) -> String {
            Runner.run(["sh", "-c", command], check: false).output.split(separator: "\n").first.map(String.init) ?? "?"
        }
        return [
            "CPU: " + first("lscpu | sed -n 's/^Model name: *//p'") + ", \(ProcessInfo.processInfo.activeProcessorCount) cores",
            "memory: " + first("free -g | awk '/Mem:/ {print $2 \" GiB\"}'"),
            "kernel: " + first("uname -sr"),
            "file system: " + first("df -T . | awk 'NR==2 {print $2}'"),
            "git: " + first("git --version"),
            "fossil: " + (Runner.exists("fossil") ? first("fossil version") : "not installed"),
            "sha256sum: " + first("sha256sum --version"),
            "swift: " + first("swift --version 2>&1 | grep -m1 'Swift version'"),
        ]
    }
}
