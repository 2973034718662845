import Foundation
import Testing
import TestSupport

/// The small habits of git and restic: versions, suggestions for a mistyped command, messages
/// that say what is missing, counts in the right number.
@Suite("CLI habits")
struct CLIHabitsTests {
    @Test("--version, -V and 'quire version' print the tool and exit 0")
    func version() throws {
        for form in [["--version"], ["-V"], ["version"]] {
            let r = try quire(form)
            #expect(r.status == 0 && r.stdoutText.hasPrefix("quire ") && r.stderr.isEmpty, "\(form)")
        }
    }

    @Test("a mistyped command gets 'did you mean', exit 64; a word far from any does not")
    func didYouMean() throws {
        for (typo, meant) in [("ingset", "ingest"), ("verfiy", "verify"), ("bundel", "bundle"), ("sarch", "search"), ("provenanc", "provenance")] {
            let r = try quire([typo])
            #expect(r.status == 64, "\(typo)")
            #expect(r.stderr.contains("did you mean '\(meant)'?"), "\(typo): \(r.stderr)")
        }
        let far = try quire(["frobnicate"])
        #expect(far.status == 64 && !far.stderr.contains("did you mean"))
    }

    @Test("'quire -A' without a path says so, not 'no command given'")
    func archiveWithoutPath() throws {
        let r = try quire(["-A"])
        #expect(r.status == 64 && r.stderr.contains("-A needs a PATH"))
    }

    @Test("init or ingest into a missing folder names the folder, not a raw SQLite error, and creates nothing")
    func missingFolder() throws {
        let dir = TemporaryDirectory("habits")
        for command in [["init", dir.file("foo/bar.quire")], ["-A", dir.file("foo/bar.quire"), "ingest", samples + "/day-1"]] {
            let r = try quire(command)
            #expect(r.status == 1, "\(command)")
            #expect(r.stderr.contains("the folder \(dir.file("foo")) does not exist") && !r.stderr.contains("SQLite"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("foo")))
    }

    @Test("an ingest whose only file fails says so in words, singular")
    func failureGrammar() throws {
        let dir = TemporaryDirectory("habits")
        #expect(mkfifo(dir.file("pipe"), 0o644) == 0)
        let r = try quire(["-A", dir.file("a.quire"), "ingest", dir.file("pipe")])
        #expect(r.status == 1)
        #expect(r.stderr.contains("The file could not be archived."), "\(r.stderr)")
        #expect(!r.stderr.contains("1 of 1"))
        try dir.write("in/a.txt", "a\n")
        let two = try quire(["-A", dir.file("b.quire"), "ingest", dir.file("in")])
        #expect(two.stdoutText.contains("1 new blob stored"), "\(two.stdoutText)")
    }
}
