import Foundation
import Testing
import TestSupport

/// Help wrapped to the terminal's width: `COLUMNS`, else the terminal, else 80 columns.
@Suite("CLI help width")
struct CLIHelpWidthTests {
    /// The commands of a help text's "Commands:" table.
    static func commands(in help: String) -> [String] {
        var names: [String] = []
        var inTable = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "Commands:" { inTable = true; continue }
            if inTable && line.isEmpty { break }
            if inTable, line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first { names.append(String(name)) }
        }
        return names
    }

    /// Every help text: the overview, each command's and each subcommand's `--help`.
    static func everyHelp(columns: String) throws -> [(String, String)] {
        let env = ["COLUMNS": columns]
        let top = try quire(["--help"], environment: env).stdoutText
        var all = [("quire --help", top)]
        let names = commands(in: top)
        #expect(names.count > 30, "the overview lists the commands: \(names)")
        for name in names {
            let help = try quire([name, "--help"], environment: env)
            #expect(help.status == 0, "\(name)")
            all.append((name, help.stdoutText))
            for sub in commands(in: help.stdoutText) {
                let r = try quire([name, sub, "--help"], environment: env)
                #expect(r.status == 0 && r.stdoutText.contains("Usage: quire \(name) \(sub)"), "\(name) \(sub)")
                all.append(("\(name) \(sub)", r.stdoutText))
            }
        }
        return all
    }

    @Test("piped without COLUMNS, no line of any command's --help is over 80 columns")
    func pipedIs80() throws {
        let all = try Self.everyHelp(columns: "")
        #expect(all.count > 45, "every command and subcommand: \(all.count)")
        for (what, text) in all {
            let long = text.split(separator: "\n").filter { $0.count > 80 }
            #expect(long.isEmpty, "\(what): \(long.map { "\($0.count): \($0)" })")
        }
    }

    @Test("COLUMNS=50 wraps every help to 50 columns, descriptions with a hanging indent")
    func narrow() throws {
        for (what, text) in try Self.everyHelp(columns: "50") {
            let long = text.split(separator: "\n").filter { $0.count > 50 }
            #expect(long.isEmpty, "\(what): \(long.map { "\($0.count): \($0)" })")
        }
        let top = try quire(["--help"], environment: ["COLUMNS": "50"]).stdoutText.split(separator: "\n").map(String.init)
        // A command's summary goes on under its own column, not under the command names.
        guard let ingest = top.firstIndex(where: { $0.hasPrefix("  ingest ") }) else { Issue.record("no ingest row"); return }
        let column = Self.descriptionColumn(top[ingest])
        #expect(top[ingest + 1].hasPrefix(String(repeating: " ", count: column)) && top[ingest + 1].count > column
                && top[ingest + 1].dropFirst(column).first != " ", "\(top[ingest]) / \(top[ingest + 1])")
        // An option's description goes on at the description's indent.
        let verify = try quire(["verify", "--help"], environment: ["COLUMNS": "50"]).stdoutText.split(separator: "\n").map(String.init)
        guard let signers = verify.firstIndex(where: { $0.contains("--allowed-signers FILE") }) else { Issue.record("no option"); return }
        #expect(verify[signers + 1].hasPrefix("      OpenSSH"), "\(verify[signers + 1])")
        #expect(verify[signers + 2].hasPrefix("      ") && !verify[signers + 2].hasPrefix("       "), "\(verify[signers + 2])")
    }

    /// Where a table row's description starts: after its name and the spaces after it.
    static func descriptionColumn(_ row: String) -> Int {
        let chars = Array(row)
        var i = 2
        while i < chars.count, chars[i] != " " { i += 1 }
        while i < chars.count, chars[i] == " " { i += 1 }
        return i
    }

    @Test("a wide COLUMNS keeps the author's line breaks; the man page does not depend on the width")
    func wideAndManPage() throws {
        let wide = try quire(["ingest", "--help"], environment: ["COLUMNS": "200"]).stdoutText
        #expect(wide.contains("  pending    a WARC revisit whose payload is neither in the batch nor in the archive\n"), "\(wide)")
        let man80 = try quire(["help", "--man"], environment: ["COLUMNS": ""])
        let man40 = try quire(["help", "--man"], environment: ["COLUMNS": "40"])
        #expect(man80.status == 0 && man80.stdout == man40.stdout)
    }
}
