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

    /// What `parseObjectLists` gives, put back together as the value `parse` makes: fields by
    /// their last value, the list given apart back in its place.
    private func rebuilt(_ bytes: [UInt8], listKey: String = "sightings") throws -> JSON {
        let (fields, items) = try JSON.parseObjectLists(bytes, listKey: listKey)
        guard bytes.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{") else { return try JSON.parse(bytes) }
        func object(_ fields: JSON.Fields) -> JSON {
            var o: [String: JSON] = [:]
            for (key, value) in fields { o[key] = value }
            return .object(o)
        }
        guard case .object(var whole) = object(fields) else { return .null }
        if let items {
            whole[listKey] = .array(items.map {
                switch $0 {
                case .fields(let f): return object(f)
                case .value(let v): return v
                }
            })
        }
        return .object(whole)
    }

    @Test("the list reader of sightings payloads accepts and refuses what parse does, and reads the same values")
    func objectListsAgreeWithParse() throws {
        let cases = [
            #"{"batch":"b1","sightings":[{"key":"a.txt","meaning":"new","size":12,"held":false,"parents":[]},{"meaning":"failed","path":"x","error":"e\u0021"}]}"#,
            #"{"sightings":[], "batch": "b"}"#,
            #"{"sightings":[1, "two", [3], {"k": {"deep": [null]}}], "batch": "b"}"#,
            #"{"sightings":[{"a":1}], "sightings": 5}"#,          // the later value wins: not a list
            #"{"sightings":5, "sightings": [{"a":1}]}"#,          // and here it is one
            #"{"batch":"b","batch":"c","sightings":[{"meaning":"new","meaning":"version"}]}"#,
            #"{}"#, #" { "x" : [ ] } "#, #"[1,2]"#, #""text""#, #"null"#,
        ]
        for text in cases {
            #expect(try rebuilt(Array(text.utf8)) == JSON.parse(text), "\(text)")
        }
        let bad = [#"{"sightings":[{"a":1},]}"#, #"{"sightings":[{"a":}]}"#, #"{"sightings":[{"a":1}]} x"#, #"{"sightings":["\q"]}"#,
                   #"{"sightings":[{"a":1}"#, #"{"sightings""#, #"{"#, "", #"{"a":1,}"#, "{\"sightings\":[{\"a\":\"\u{01}\"}]}"]
        for text in bad {
            #expect(throws: JSONParseError.self, "\(text)") { try JSON.parseObjectLists(Array(text.utf8), listKey: "sightings") }
            #expect(throws: JSONParseError.self, "\(text)") { try JSON.parse(text) }
        }
        // Nesting is bounded the same: the list's objects sit two levels down.
        for depth in [59, 60, 61, 62, 63, 64] {
            let inner = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let text = #"{"sightings":[{"a":"# + inner + "}]}"
            let viaParse = try? JSON.parse(text), viaLists = try? rebuilt(Array(text.utf8))
            #expect(viaParse == viaLists, "depth \(depth)")
        }
        #expect(throws: JSONParseError.self) { try JSON.parse(#"{"sightings":[{"a":"# + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "}]}") }
        // Every way of cutting a real payload short is refused by both.
        let payload = Array(cases[0].utf8)
        for end in 0..<payload.count {
            let cut = Array(payload[0..<end])
            #expect((try? JSON.parse(cut)) == nil && (try? JSON.parseObjectLists(cut, listKey: "sightings")) == nil, "cut at \(end)")
        }
    }

    @Test("an article's fields are read for their url without parsing when they are plain [name, value, extractor] lists, and the same as parse gives")
    func plainTriplesGiveTheFirstValue() throws {
        func viaParse(_ text: String) -> String? {
            (try? JSON.parse(text))?.arrayValue?.first { $0.arrayValue?.first?.stringValue == "url" }?.arrayValue?[1].stringValue
        }
        let plain = [
            #"[]"#, #" [ ] "#,
            #"[["title","T","html/1"],["url","https://a.example/x","html/1"],["url","https://second.example/","supplied"]]"#,
            #"[["title","Café","html/1"]]"#, #"[ [ "url" , "u" , "e" ] ]"#,
        ]
        for text in plain {
            let lean = JSON.firstValue(named: "url", inTriples: Array(text.utf8))
            #expect(lean != nil, "\(text)")
            #expect(lean! == viaParse(text), "\(text)")
        }
        // Anything else is left to parse: escapes, other shapes, bad JSON, bytes that are not UTF-8.
        let other: [[UInt8]] = [
            #"[["url","a\/b","e"]]"#, #"[["url","u"]]"#, #"[["url","u","e","x"]]"#, #"[["url",1,"e"]]"#, #"{"url":"u"}"#,
            #"[["url","u","e"],]"#, #"[["url","u","e"]] x"#, #"[["url","u","e"]"#, "",
        ].map { Array($0.utf8) } + [[0x5B, 0x5B, 0x22, 0xFF, 0x22, 0x2C, 0x22, 0x22, 0x2C, 0x22, 0x22, 0x5D, 0x5D]]
        for bytes in other {
            #expect(JSON.firstValue(named: "url", inTriples: bytes) == nil, "\(String(decoding: bytes, as: UTF8.self))")
        }
    }
}
