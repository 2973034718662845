import Testing
@testable import QuireKit

/// `TextDiff.isTrivial` on real kinds of edits: only what cannot change meaning is trivial.
@Suite("Trivial changes")
struct TrivialChangeTests {
    static let article = """
        Death toll rises to 12
        By Ana Ruiz
        Last update: March 27, 2026 18:40

        Rescuers searched the collapsed building through the night. The mayor, Dev Raman, said 12 people had died.
        Share this article
        """

    private func trivial(_ from: String, _ to: String) -> Bool {
        TextDiff.isTrivial(old: Self.article, new: Self.article.replacingOccurrences(of: from, with: to))
    }

    @Test("trivial: a new timestamp, white space, a boilerplate line")
    func trivialEdits() {
        #expect(trivial("18:40", "21:05"))
        #expect(trivial("Last update: March 27, 2026 18:40", "Aktualisiert am 28.03.2026 um 09:15 Uhr"))
        #expect(trivial("Last update: March 27, 2026 18:40", "Updated 5 minutes ago"))
        #expect(trivial("through the night.", "through the   night."))
        #expect(trivial("Share this article", "Advertisement"))
        #expect(TextDiff.isTrivial(old: Self.article, new: Self.article + "\n\nRead more"))
    }

    @Test("never trivial: a changed number, name or headline, however short the line")
    func meaningfulEdits() {
        #expect(!trivial("Death toll rises to 12", "Death toll rises to 40"))
        #expect(!trivial("said 12 people", "said 40 people"))
        #expect(!trivial("By Ana Ruiz", "By Li Wei"))
        #expect(!trivial("The mayor, Dev Raman,", "The mayor, Jo Park,"))
        #expect(!trivial("Death toll rises to 12", "Building collapse: search goes on"))
        #expect(!trivial("Last update: March 27, 2026 18:40", "Last update: March 27, 2026 18:40: 40 dead"))
        #expect(!TextDiff.isTrivial(old: Self.article, new: Self.article + "\nCorrection"))
    }

    @Test("timestamp lines and boilerplate lines, alone")
    func lineKinds() {
        #expect(TextDiff.isTimestampLine("Stand: 12.11.2021"))
        #expect(TextDiff.isTimestampLine("Tuesday, March 26th, 2024 at 8:05 pm EDT"))
        #expect(!TextDiff.isTimestampLine("12"))
        #expect(!TextDiff.isTimestampLine("12 dead on March 26, 2024"))
        #expect(TextDiff.isBoilerplateLine("Share this article »"))
        #expect(!TextDiff.isBoilerplateLine("Share prices fell"))
    }

    @Test("a long line of punctuation is no boilerplate line and costs no walk (found by fuzz-metadata)")
    func longPunctuationLine() {
        let line = String(repeating: "&", count: 256 * 1024)
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(!TextDiff.isTrivial(old: String(line.prefix(1000)), new: line)) }
        #expect(elapsed < .seconds(2))
    }
}
