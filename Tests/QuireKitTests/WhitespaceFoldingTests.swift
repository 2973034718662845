import Testing
@testable import QuireKit

/// `foldedWhitespace` and `trimmedWhitespace` take a byte path for ASCII text; it must give what
/// the Character path gives (Unicode white space: tab to carriage return and space, not 0x1C-0x1F).
@Suite struct WhitespaceFoldingTests {
    private func byCharacters(_ s: String) -> String { s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ") }

    @Test func everyASCIIByteFoldsAsCharactersDo() {
        for c in UInt8(0)..<0x80 {
            let ch = String(decoding: [c], as: UTF8.self)
            for s in ["a" + ch + "b", ch + "x" + ch + ch + "y" + ch, ch, "\r\n" + ch + "z"] {
                #expect(s.foldedWhitespace == byCharacters(s), "byte \(c)")
                #expect(s.trimmedWhitespace == { guard let f = s.firstIndex(where: { !$0.isWhitespace }), let l = s.lastIndex(where: { !$0.isWhitespace }) else { return "" }; return String(s[f...l]) }(), "byte \(c)")
            }
        }
    }

    @Test func nonASCIITextTakesTheCharacterPath() {
        for s in ["caf\u{E9}\u{A0}\u{A0}au\u{2003}lait ", " \u{301}x", "\u{3000}one\ttwo\u{85}three", "no-break\u{A0}\u{301}space"] {
            #expect(s.foldedWhitespace == byCharacters(s))
        }
        #expect("  a  b ".foldedWhitespace == "a b")
        #expect("x\u{1F}y".foldedWhitespace == "x\u{1F}y")
        #expect(" \u{A0}Jane\u{A0}Doe ".trimmedWhitespace == "Jane\u{A0}Doe")
        #expect(Substring("one  two").foldedWhitespace == "one two")
    }
}
