/// A strict RFC 8259 JSON parser for the files Quire reads (state files, bundle headers, event
/// payloads, scraper metadata). It rejects trailing garbage and limits nesting depth, so hostile
/// input gives an error naming the byte offset, never a crash.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public let offset: Int
    public let message: String
    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

extension JSON {
    /// Parses one JSON value that fills all of `text` (surrounding whitespace allowed).
    public static func parse(_ text: String) throws -> JSON {
        try parse(Array(text.utf8))
    }

    /// Parses one JSON value that fills all of `bytes` (surrounding whitespace allowed).
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws -> JSON {
        var parser = Parser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        if parser.position != bytes.count { throw parser.error("unexpected text after the value") }
        return value
    }
}

extension JSON {
    /// One JSON object's fields in the order written, each key with its value. Read by
    /// `parseObjectLists`, which builds no dictionary; a key written twice is there twice, and
    /// `self[key]` of the `object` it would be is its last value (`value(of:)`).
    typealias Fields = [(key: String, value: JSON)]

    /// Parses `bytes` exactly as `parse` does (it accepts and refuses the same inputs, with the same
    /// limits; both read objects and arrays with `Parser.fields` and `Parser.items`) when they are
    /// one JSON object, and gives its fields as a list, but for key `listKey`: its value, when it
    /// is an array, is given as `items`, each object in it as its fields, any other item as its
    /// value. The other values are as `parse` makes them.
    ///
    /// For the payloads whose bulk is a long list of small objects (a sightings event's one
    /// per file), where making a dictionary for every object costs more than reading it.
    static func parseObjectLists(_ bytes: [UInt8], listKey: String, maxDepth: Int = 64) throws -> (fields: Fields, items: [Either]?) {
        var parser = Parser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        guard parser.position < bytes.count, bytes[parser.position] == UInt8(ascii: "{") else {
            // Not an object: whatever `parse` says of it, and no fields.
            _ = try parse(bytes, maxDepth: maxDepth)
            return ([], nil)
        }
        // The last value of a key decides, as in `parse`: a later value of `listKey` that is not an array wins.
        var fields: Fields = [], lists: [Either]? = nil
        try parser.fields(depth: 0) { key, parser in
            guard key == listKey, parser.position < bytes.count, bytes[parser.position] == UInt8(ascii: "[") else {
                if key == listKey { lists = nil }
                fields.append((key, try parser.value(depth: 1)))
                return
            }
            lists = try parser.items(depth: 1) { parser -> Either in
                guard parser.position < bytes.count, bytes[parser.position] == UInt8(ascii: "{") else { return .value(try parser.value(depth: 2)) }
                var object: Fields = []
                try parser.fields(depth: 2) { key, parser in object.append((key, try parser.value(depth: 3))) }
                return .fields(object)
            }
        }
        parser.skipWhitespace()
        if parser.position != bytes.count { throw parser.error("unexpected text after the value") }
        return (fields, lists)
    }

    /// An item of a list `parseObjectLists` gives apart: an object's fields, or another value.
    enum Either {
        case fields(Fields)
        case value(JSON)

        /// `self[key]` of the value it stands for.
        subscript(key: String) -> JSON? {
            switch self {
            case .fields(let fields): return JSON.value(of: key, in: fields)
            case .value(let value): return value[key]
            }
        }
    }

    /// The value `key` has in an object with these fields: its last one.
    static func value(of key: String, in fields: Fields) -> JSON? {
        fields.last(where: { $0.key == key })?.value
    }
}

private struct Parser {
    let bytes: [UInt8]
    let maxDepth: Int
    var position = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func error(_ message: String) -> JSONParseError { JSONParseError(offset: position, message: message) }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws -> JSON {
        guard depth <= maxDepth else { throw error("nested more than \(maxDepth) levels") }
        guard position < bytes.count else { throw error("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("unexpected character")
        }
    }

    mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard position + w.count <= bytes.count, Array(bytes[position..<position + w.count]) == w else {
            throw error("expected \(word)")
        }
        position += w.count
    }

    mutating func object(depth: Int) throws -> JSON {
        var object: [String: JSON] = [:]
        try fields(depth: depth) { key, parser in object[key] = try parser.value(depth: depth + 1) }
        return .object(object)
    }

    /// Reads an object at `position` (its `{`), handing each key to `field` with the parser at
    /// the key's value, which `field` must read (with `value(depth: depth + 1)`, or another reader).
    mutating func fields(depth: Int, _ field: (String, inout Parser) throws -> Void) throws {
        guard depth <= maxDepth else { throw error("nested more than \(maxDepth) levels") }
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let key = try string()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
            position += 1
            skipWhitespace()
            try field(key, &self)
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of input in an object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return }
            throw error("expected ',' or '}'")
        }
    }

    /// Reads an array at `position` (its `[`), each item by `item` (as `array` reads them with `value(depth: depth + 1)`).
    mutating func items<T>(depth: Int, _ item: (inout Parser) throws -> T) throws -> [T] {
        guard depth <= maxDepth else { throw error("nested more than \(maxDepth) levels") }
        position += 1
        var items: [T] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return items }
        while true {
            skipWhitespace()
            items.append(try item(&self))
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of input in an array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return items }
            throw error("expected ',' or ']'")
        }
    }

    mutating func array(depth: Int) throws -> JSON {
        .array(try items(depth: depth) { try $0.value(depth: depth + 1) })
    }

    /// Where the run of a string's bytes from `start` that need no decoding ends: at its closing
    /// quote, an escape, a control character or the end of the input.
    func plainEnd(from start: Int) -> Int {
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
        return end
    }

    mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("bad hex digit in \\u escape")
            }
            v = v << 4 | d
            position += 1
        }
        return v
    }

    mutating func string() throws -> String {
        position += 1
        // Most strings have no escape: they are their bytes, made a String in one step.
        let start = position
        let end = plainEnd(from: start)
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            position = end + 1
            guard let s = bytes.withUnsafeBufferPointer({ String(validating: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }) else {
                throw error("string is not valid UTF-8")
            }
            return s
        }
        var out = Array(bytes[start..<end])
        position = end
        while true {
            guard position < bytes.count else { throw error("unterminated string") }
            let c = bytes[position]
            if c == UInt8(ascii: "\"") { position += 1; break }
            if c < 0x20 { throw error("control character in a string") }
            if c != UInt8(ascii: "\\") { out.append(c); position += 1; continue }
            position += 1
            guard position < bytes.count else { throw error("unterminated escape") }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate")
                    }
                    position += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw error("unpaired surrogate")
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid code point") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw error("unknown escape")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
        return s
    }

    mutating func number() throws -> JSON {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        func digits() -> Int {
            let s = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
            return position - s
        }
        let intStart = position
        guard digits() > 0 else { throw error("expected digits") }
        if bytes[intStart] == UInt8(ascii: "0") && position - intStart > 1 { throw error("leading zero") }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            isInteger = false
            guard digits() > 0 else { throw error("expected digits after '.'") }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            isInteger = false
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("expected exponent digits") }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let i = Int64(text) { return .int(i) }
        guard let d = Double(text) else { throw error("number out of range") }
        return .double(d)
    }
}

extension JSON {
    /// For a list of string lists of three, as an article's `fields` column holds them
    /// (`[[name, value, extractor], ...]`): the value of the first entry named `name` (nil when
    /// none is), read without making a value for each string. Nil (not `.some(nil)`) when the
    /// bytes are anything else or hold an escape: then `parse` must read them to say what they are.
    static func firstValue(named name: String, inTriples bytes: [UInt8]) -> String?? {
        var parser = Parser(bytes: bytes, maxDepth: 64)
        let wanted = Array(name.utf8)
        var found: String? = nil
        func expect(_ c: UInt8) -> Bool {
            parser.skipWhitespace()
            guard parser.position < bytes.count, bytes[parser.position] == c else { return false }
            parser.position += 1
            return true
        }
        guard expect(UInt8(ascii: "[")) else { return nil }
        parser.skipWhitespace()
        if !expect(UInt8(ascii: "]")) {
            repeat {
                guard expect(UInt8(ascii: "[")), let first = parser.plainString() else { return nil }
                guard expect(UInt8(ascii: ",")), let second = parser.plainString() else { return nil }
                guard expect(UInt8(ascii: ",")), parser.plainString() != nil, expect(UInt8(ascii: "]")) else { return nil }
                if found == nil, bytes[first].elementsEqual(wanted) {
                    found = bytes.withUnsafeBufferPointer { String(validating: UnsafeBufferPointer(rebasing: $0[second]), as: UTF8.self) }
                }
            } while expect(UInt8(ascii: ","))
            guard expect(UInt8(ascii: "]")) else { return nil }
        }
        parser.skipWhitespace()
        return parser.position == bytes.count ? .some(found) : nil
    }
}

extension Parser {
    /// A string without escapes at `position` (which must be its opening quote): the range of
    /// its bytes, which are valid UTF-8. Nil for anything else, the position then undefined.
    fileprivate mutating func plainString() -> Range<Int>? {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        let start = position + 1, end = plainEnd(from: start)
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
        if bytes[start..<end].contains(where: { $0 >= 0x80 }),
           bytes.withUnsafeBufferPointer({ String(validating: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }) == nil {
            return nil
        }
        position = end + 1
        return start..<end
    }
}
