/// An event as an "E" record of a bundle carries it (docs/bundle-format.md): UTF-8 lines
/// `origin \n seq \n kind \n at \n hash \n payload`, the payload (canonical JSON, which may hold
/// no raw newline) last and without a newline after it.
enum EventWire {
    /// The record body for `event`.
    static func encode(_ event: Event) -> [UInt8] {
        Array("\(event.origin)\n\(event.seq)\n\(event.kind)\n\(event.at)\n\(event.hash)\n\(event.payload)".utf8)
    }

    /// The length of `encode(event)` from the lengths of its parts.
    static func length(origin: Int, seq: Int, kind: Int, at: Int, hash: Int, payload: Int) -> Int {
        origin + String(seq).utf8.count + kind + at + hash + payload + 5
    }

    /// Reads a record body. Throws a message saying what is malformed (the caller names where).
    static func decode(_ body: [UInt8]) throws -> Event {
        var fields: [String] = []
        var start = 0
        for i in body.indices where fields.count < 5 && body[i] == 0x0A {
            guard let field = String(validating: body[start..<i], as: UTF8.self) else { throw Malformed("a field is not UTF-8") }
            fields.append(field)
            start = i + 1
        }
        guard fields.count == 5, let seq = Int(fields[1]), seq > 0, String(seq) == fields[1],
              let payload = String(validating: body[start...], as: UTF8.self) else { throw Malformed("malformed") }
        let (origin, kind, at, hash) = (fields[0], fields[2], fields[3], fields[4])
        guard origin.utf8.count == 36, hash.utf8.count == 64 else { throw Malformed("malformed origin or hash") }
        return Event(origin: origin, seq: seq, kind: kind, at: at, payload: payload, hash: hash)
    }

    /// What is wrong with a record body.
    struct Malformed: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
