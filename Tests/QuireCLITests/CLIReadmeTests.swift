import Foundation
import Testing
import TestSupport

/// The README's walkthroughs, run as written in a temporary folder (with the samples copied in
/// and the built `quire` on PATH), so they stay true and leave nothing in the repository.
/// "Sharing an archive" is left to its own walkthrough test.
@Suite("README walkthroughs")
struct CLIReadmeTests {
    /// The lines of the ```sh block under the heading `## title`.
    static func block(_ title: String) throws -> [String] {
        let readme = try String(contentsOfFile: repositoryRoot + "/README.md", encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "## \(title)"), "README has no section '\(title)'")
        let open = try #require(lines[start...].firstIndex(of: "```sh"))
        let close = try #require(lines[(open + 1)...].firstIndex(of: "```"))
        return Array(lines[(open + 1)..<close])
    }

    /// `git status --porcelain` of the repository (what a run might have left there).
    static func repositoryStatus() throws -> String {
        try runProcess("git", ["-C", repositoryRoot, "status", "--porcelain", "--untracked-files=all"]).stdoutText
    }

    @Test("'A first session' and 'Auditing an archive' run verbatim, every command exiting 0, nothing left in the repository")
    func walkthroughs() throws {
        try requireTool("dot (graphviz)", check: ["dot", "-V"])
        let before = try Self.repositoryStatus()
        let dir = TemporaryDirectory("readme")
        try FileManager.default.copyItem(atPath: repositoryRoot + "/Archives", toPath: dir.file("Archives"))
        var first = try Self.block("A first session")
        // The build line makes the release binary; the test puts the one it built on PATH instead.
        #expect(first.first?.hasPrefix("swift build -c release && export PATH=") == true)
        first.removeFirst()
        let audit = try Self.block("Auditing an archive")
        let binDirectory = (quireBinary as NSString).deletingLastPathComponent
        // Each line runs as written; a failing one stops the script and names itself.
        var script = "set -o pipefail\nexport PATH='\(binDirectory)':\"$PATH\"\nunset QUIRE_ARCHIVE\n"
        for line in first + audit where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            script += line + "\n" + "rc=$?; if [ $rc -ne 0 ]; then echo \"FAILED ($rc): \"\(shellQuote(line)) >&2; exit 1; fi\n"
        }
        let r = try runProcess("bash", ["-c", script], environment: ["QUIRE_ARCHIVE": "", "PAGER": "cat"], currentDirectory: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        let out = r.stdoutText
        // What the README says the walkthrough shows.
        #expect(out.contains("new 6, version 1, unchanged 1, failed 0"))
        #expect(out.contains("@1") && out.contains("@2"))
        #expect(out.contains("would delete the bytes of 2 blobs"))
        #expect(FileManager.default.fileExists(atPath: dir.file("trail.svg")) && FileManager.default.fileExists(atPath: dir.file("report.html")))
        #expect(FileManager.default.fileExists(atPath: dir.file("archive.quire")))
        #expect(try Self.repositoryStatus() == before, "the walkthrough left files in the repository")
    }

    func shellQuote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
