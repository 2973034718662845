import Testing
@testable import QuireKit

/// The JSON reader every event payload, state file and bundle header goes through: strict
/// RFC 8259, errors with the byte offset, and the fast path for strings without escapes giving
/// the same strings as the escape-decoding one.
@Suite struct JSONParserTests {
    private func parse(_ bytes: [UInt8]) throws -> JSON { try JSON.parse(bytes) }

    @Test func stringsWithAndWithoutEscapesReadTheSame() throws {
        #expect(try JSON.parse(#""plain text""#) == .string("plain text"))
        #expect(try JSON.parse(#""""#) == .string(""))
        #expect(try JSON.parse(#""caf\u00e9 \"quoted\" a\\b\/c\n\t""#) == .string("café \"quoted\" a\\b/c\n\t"))
        // An escape after a long plain prefix: the prefix is kept.
        #expect(try JSON.parse(#""harbour gazette\u0021""#) == .string("harbour gazette!"))
        // A surrogate pair and raw UTF-8.
        #expect(try JSON.parse(#""\ud83d\ude00 and 😀""#) == .string("😀 and 😀"))
        let object = try JSON.parse(#"{"key": "value", "list": ["a", "b\u0020c", 1, -2.5e3, true, false, null]}"#)
        #expect(object["key"]?.stringValue == "value")
        #expect(object["list"]?.arrayValue?.count == 7)
        #expect(object["list"]?.arrayValue?[1].stringValue == "b c")
        #expect(object["list"]?.arrayValue?[2].intValue == 1)
    }

    @Test func badStringsAreRefusedWithTheirOffset() throws {
        // Raw bytes that are not UTF-8, on the fast path and after an escape.
        for bytes: [UInt8] in [[0x22, 0x61, 0xFF, 0x22], [0x22, 0x5C, 0x6E, 0xC3, 0x22]] {
            #expect { try parse(bytes) } throws: { ($0 as? JSONParseError)?.message == "string is not valid UTF-8" }
        }
        #expect { try parse(Array("\"a\u{01}b\"".utf8)) } throws: { ($0 as? JSONParseError)?.message == "control character in a string" }
        #expect { try parse(Array("\"abc".utf8)) } throws: { ($0 as? JSONParseError)?.message == "unterminated string" }
        #expect { try parse(Array(#""\ud83d x""#.utf8)) } throws: { ($0 as? JSONParseError)?.message == "unpaired surrogate" }
        #expect { try parse(Array(#""\q""#.utf8)) } throws: { ($0 as? JSONParseError)?.message == "unknown escape" }
        #expect { try parse(Array(#""ok" x"#.utf8)) } throws: { ($0 as? JSONParseError)?.offset == 5 }
        #expect { try parse(Array(#"{"a": "b",}"#.utf8)) } throws: { ($0 as? JSONParseError)?.message == "expected a key" }
    }

    @Test func depthAndNumbersAreBounded() throws {
        let deep = Array(String(repeating: "[", count: 70).utf8) + Array(String(repeating: "]", count: 70).utf8)
        #expect { try parse(deep) } throws: { ($0 as? JSONParseError)?.message.hasPrefix("nested more than") == true }
        #expect { try parse(Array("012".utf8)) } throws: { ($0 as? JSONParseError)?.message == "leading zero" }
        #expect(try JSON.parse(" \t\r\n 42 \n") == .int(42))
    }
}
