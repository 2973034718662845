import Foundation
import Testing
import TestSupport

/// The README's "Sharing an archive" walkthrough, run verbatim (`sh -e`, line by line as written)
/// in a temporary folder with two real copies and more, the ssh step through a real sshd on
/// 127.0.0.1 as `localhost`. Nothing is left in the repository.
@Suite("README sharing walkthrough")
struct CLIReadmeSharingTests {
    /// The first `sh` block after the heading.
    static func walkthrough() throws -> String {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        guard let section = readme.range(of: "## Sharing an archive"),
              let start = readme.range(of: "```sh\n", range: section.upperBound..<readme.endIndex),
              let end = readme.range(of: "```", range: start.upperBound..<readme.endIndex) else {
            throw QuireTestError("README.md has no sh block under '## Sharing an archive'")
        }
        return String(readme[start.upperBound..<end.lowerBound])
    }

    @Test("every line runs and succeeds; the copies end with equal digests")
    func runsVerbatim() throws {
        let script = try Self.walkthrough()
        #expect(script.contains("quire clone") && script.contains("quire -A ana.quire sync"))
        let binDirectory = (quireBinary as NSString).deletingLastPathComponent
        let server = try SSHServer(remotePath: binDirectory)
        let dir = TemporaryDirectory("readme-sharing")
        try FileManager.default.createDirectory(atPath: dir.file("Archives"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.file("Archives/samples"), withDestinationPath: samples)
        try dir.write("walkthrough.sh", "set -e\n" + script)
        let path = binDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let r = try runProcess("sh", ["-x", dir.file("walkthrough.sh")],
                               environment: ["PATH": path, "QUIRE_ARCHIVE": "", "XDG_CONFIG_HOME": dir.file("config"),
                                             "QUIRE_SSH_COMMAND": server.sshCommand()],
                               currentDirectory: dir.path)
        #expect(r.status == 0, "the walkthrough failed:\n\(r.stdoutText)\n\(r.stderr)")
        let digests = r.stdoutText.split(separator: "\n").filter { $0.count == 64 && $0.allSatisfy(\.isHexDigit) }
        #expect(digests.count == 4 && digests[0] == digests[1] && digests[2] == digests[3], "\(digests)")
        for copy in ["team", "ana", "bob", "carol"] {
            #expect(try quire(["-A", dir.file("\(copy).quire"), "verify", "--no-record"]).status == 0, "\(copy)")
        }
        let batches = try #require(try parseJSON(try quire(["-A", dir.file("team.quire"), "batches", "--json"])) as? [[String: Any]])
        #expect(batches.contains { $0["agent"] as? String == "ana@lab" }, "the agent setting is recorded")
        #expect(try String(decoding: runProcess("git", ["-C", repositoryRoot, "status", "--porcelain", "--", "Archives"]).stdout, as: UTF8.self).isEmpty)
    }
}
