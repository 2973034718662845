import Foundation
import Testing
import TestSupport

/// Shell completion scripts and the manual page, checked by the shells and by mandoc.
@Suite("CLI completion and manual page")
struct CLICompletionTests {
    /// What bash completes for the words typed so far (the last one being completed).
    func complete(_ words: [String]) throws -> [String] {
        let dir = TemporaryDirectory("completion")
        let script = try dir.write("quire.bash", try quire(["completion", "bash"]).stdout)
        let array = words.map { "'\($0)'" }.joined(separator: " ")
        let r = try runProcess("bash", ["-c", "source '\(script)'; COMP_WORDS=(\(array)); COMP_CWORD=\(words.count - 1); _quire; printf '%s\\n' \"${COMPREPLY[@]}\""],
                               currentDirectory: dir.path)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdoutText.split(separator: "\n").map(String.init)
    }

    @Test("bash: the script parses (bash -n) and completes commands, subcommands and options through compgen")
    func bash() throws {
        let dir = TemporaryDirectory("completion")
        let script = try dir.write("quire.bash", try quire(["completion", "bash"]).stdout)
        let syntax = try runProcess("bash", ["-n", script])
        #expect(syntax.status == 0, "\(syntax.stderr)")
        #expect(try complete(["quire", "in"]).sorted() == ["ingest", "init"])
        #expect(try complete(["quire", "ing"]) == ["ingest"])
        #expect(try complete(["quire", "bundle", "im"]) == ["import"])
        #expect(try complete(["quire", "export", ""]).contains("warc"))
        #expect(try complete(["quire", "ingest", "--ba"]) == ["--batch"])
        #expect(try complete(["quire", "-A", "x.quire", "diff", "--st"]) == ["--stat"])
        #expect(try complete(["quire", "completion", "f"]) == ["fish"])
        #expect(try quire(["completion", "tcsh"]).status == 64)
    }

    @Test("zsh and fish: the scripts parse in their shells (skipped when the shell is not installed)")
    func otherShells() throws {
        let dir = TemporaryDirectory("completion")
        let fish = try dir.write("quire.fish", try quire(["completion", "fish"]).stdout)
        let zsh = try dir.write("quire.zsh", try quire(["completion", "zsh"]).stdout)
        #expect(try String(contentsOfFile: fish, encoding: .utf8).contains("-a ingest -d"))
        #expect(try String(contentsOfFile: zsh, encoding: .utf8).contains("bashcompinit"))
        // The zsh script is the bash one behind bashcompinit: bash must parse that part.
        #expect(try runProcess("bash", ["-n", try dir.write("zsh-as-bash.sh", Array((try String(contentsOfFile: zsh, encoding: .utf8))
            .split(separator: "\n").filter { !$0.hasPrefix("autoload") }.joined(separator: "\n").utf8))]).status == 0)
        var checked = 0
        for (shell, file) in [("zsh", zsh), ("fish", fish)] {
            guard (try? runProcess(shell, ["-c", "exit 0"]))?.status == 0 else { print("skipped: \(shell) is not installed; its script was not parsed by it"); continue }
            let r = try runProcess(shell, ["-n", file])
            #expect(r.status == 0, "\(shell): \(r.stderr)")
            checked += 1
        }
        if checked == 0 { print("skipped: neither zsh nor fish is installed") }
    }

    @Test("help --man prints a man page that mandoc -T lint accepts, naming every command")
    func manPage() throws {
        try requireTool("mandoc", check: ["sh", "-c", "command -v mandoc"])
        let dir = TemporaryDirectory("man")
        let page = try quire(["help", "--man"])
        #expect(page.status == 0 && page.stderr.isEmpty)
        let file = try dir.write("quire.1", page.stdout)
        // Every level, style included: exit 0 and not a word.
        let lint = try runProcess("mandoc", ["-T", "lint", file])
        #expect(lint.status == 0 && lint.stdoutText.isEmpty && lint.stderr.isEmpty, "\(lint.stdoutText)\(lint.stderr)")
        let source = page.stdoutText
        for name in ["ingest", "search", "redact", "bundle import", "export files", "completion"] {
            #expect(source.contains("\n.SS quire \(name)\n"), "\(name)")
        }
        // mandoc formats it (the page's text, headings in bold, survives formatting).
        let text = try runProcess("mandoc", ["-T", "ascii", "-O", "width=100", file]).stdoutText
        let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("QUIRE(1)") && flat.contains("a mistake in the command line"))
    }
}
