import Testing
import Foundation
@testable import quire

/// Help text wrapped to a width: prose filled again, an option's description continued under
/// itself, long words cut, and nothing ever wider than the width.
@Suite struct TextWrapTests {
    private func widest(_ text: String) -> Int { text.split(separator: "\n", omittingEmptySubsequences: false).map(\.count).max() ?? 0 }

    @Test func proseIsFilledAndShortLinesKeepTheirBreaks() {
        let prose = "Quire archives news article files into one SQLite file and keeps copies of that archive in step."
        let wrapped = TextWrap.wrap(prose, width: 40)
        #expect(widest(wrapped) <= 40)
        #expect(wrapped.split(separator: "\n").joined(separator: " ") == prose)
        #expect(TextWrap.wrap("one\ntwo", width: 40) == "one\ntwo")
    }

    @Test func descriptionsHangUnderTheirColumn() {
        let line = "  completion  Print a completion script for bash, zsh or fish, to be loaded by the shell at its start"
        let lines = TextWrap.wrap(line, width: 50).split(separator: "\n")
        #expect(lines.count > 1)
        #expect(lines[0].hasPrefix("  completion  Print"))
        for continuation in lines.dropFirst() { #expect(continuation.hasPrefix(String(repeating: " ", count: 14)) && !continuation.hasPrefix(String(repeating: " ", count: 15))) }
        #expect(lines.allSatisfy { $0.count <= 50 })
    }

    @Test func longWordsAndDeepIndentsStillFit() {
        let word = String(repeating: "x", count: 130)
        #expect(widest(TextWrap.wrap("  " + word, width: 40)) <= 40)
        // An indent deeper than the width: continuation lines start at half the width, not past it.
        let deep = String(repeating: " ", count: 60) + "a few words that need another line to fit in"
        let wrapped = TextWrap.wrap(deep, width: 40)
        #expect(widest(wrapped) <= 40)
        #expect(wrapped.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") == "a few words that need another line to fit in")
    }
}
