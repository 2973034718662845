#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The framed protocol `quire serve --stdio` speaks over a pipe (ssh), byte by byte in
/// docs/sync-protocol.md. Each side first writes the greeting: the 8 ASCII bytes `QUIRESYN` and a
/// 2-byte big-endian version (1). Then frames: a type byte, a 4-byte big-endian payload length,
/// the payload. Bundles travel as `D` frames of their bytes closed by an `E` frame, so they stream
/// both ways in one session with nothing written to a named file.
enum SyncProtocol {
    static let magic: [UInt8] = Array("QUIRESYN".utf8)
    static let version: UInt16 = 1
    /// The largest payload a reader accepts (a bigger length is a protocol error, not an allocation).
    static let maxPayload = 16 << 20
    /// The size of the `D` frames a bundle is cut into.
    static let dataFrameSize = 256 << 10

    /// What a frame is.
    enum FrameType: UInt8 {
        /// JSON: who is speaking (`archive`, `state`, `read_only`, `tool`).
        case hello = 0x48 // H
        /// JSON: the client asks (`op`: `send`, `receive`, `count`, `digest`, `bye`).
        case request = 0x51 // Q
        /// JSON: the server answers a request.
        case reply = 0x52 // R
        /// Bytes: the next piece of a bundle.
        case data = 0x44 // D
        /// JSON: the bundle just sent is complete (its summary).
        case end = 0x45 // E
        /// JSON `{"code", "message"}`: the sender failed; the session ends.
        case error = 0x58 // X
        /// JSON: nothing to send (the receiver already holds everything), instead of a bundle.
        case nothing = 0x4E // N
    }
}

/// One end of a session: reads and writes frames on two descriptors, with the peer's name for
/// messages. A class because it owns its read buffer.
final class SyncChannel {
    let input: Int32
    let output: Int32
    /// What messages call the other end ("the remote ana@host:/srv/team.quire").
    let peer: String
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes read and written so far (the wire cost).
    private(set) var bytesIn = 0
    private(set) var bytesOut = 0
    /// Called when the input ends before a frame is complete; returns the error to throw
    /// (the ssh transport adds what ssh said).
    var onClosed: () -> QuireError

    init(input: Int32, output: Int32, peer: String) {
        self.input = input
        self.output = output
        self.peer = peer
        let name = peer
        onClosed = { QuireError(.io, "\(name) closed the connection in the middle of the exchange; nothing was imported from the unfinished transfer") }
    }

    // MARK: Writing

    func writeGreeting() throws {
        try writeAll(SyncProtocol.magic + [UInt8(SyncProtocol.version >> 8), UInt8(SyncProtocol.version & 0xff)])
    }

    func send(_ type: SyncProtocol.FrameType, _ payload: [UInt8]) throws {
        var frame = [type.rawValue]
        frame += bigEndian(UInt64(payload.count), bytes: 4)
        frame += payload
        try writeAll(frame)
    }

    func send(_ type: SyncProtocol.FrameType, _ json: JSON) throws {
        try send(type, Array(json.canonical.utf8))
    }

    /// Sends an error frame for `error` (best effort: the other end may be gone).
    func sendError(_ error: QuireError) {
        try? send(.error, ["code": .string(error.code.rawValue), "message": .string(error.description)])
    }

    /// A function that cuts the bytes given to it into `D` frames; `flush` sends the rest.
    func dataWriter() -> (write: (UnsafeRawBufferPointer) throws -> Void, flush: () throws -> Void) {
        let box = DataFrameBuffer()
        return ({ piece in
            box.bytes.append(contentsOf: piece)
            while box.bytes.count >= SyncProtocol.dataFrameSize {
                try self.send(.data, Array(box.bytes[0..<SyncProtocol.dataFrameSize]))
                box.bytes.removeFirst(SyncProtocol.dataFrameSize)
            }
        }, {
            if !box.bytes.isEmpty { try self.send(.data, box.bytes) }
            box.bytes.removeAll()
        })
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var done = 0
        try bytes.withUnsafeBytes { raw in
            while done < raw.count {
                let n = Glibc.write(output, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    if errno == EPIPE { throw onClosed() }
                    throw QuireError(.io, "writing to \(peer) failed: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
        bytesOut += bytes.count
    }

    // MARK: Reading

    /// Reads the other end's greeting; anything else (a shell's message, another program) is
    /// an error quoting what came instead.
    func readGreeting() throws {
        let greeting = try readExactly(SyncProtocol.magic.count + 2, atStart: true)
        guard Array(greeting[0..<8]) == SyncProtocol.magic else {
            let more: [UInt8] = (try? readAvailable(200)) ?? []
            let text = String(decoding: greeting + more, as: UTF8.self)
            throw QuireError(.refused, "\(peer) did not answer as `quire serve` does: it said \"\(text.trimmingCharacters(in: .whitespacesAndNewlines))\"")
        }
        let version = UInt16(greeting[8]) << 8 | UInt16(greeting[9])
        guard version == SyncProtocol.version else {
            throw QuireError(.refused, "\(peer) speaks sync protocol version \(version); this quire speaks version \(SyncProtocol.version) (use the same quire on both sides)")
        }
    }

    /// The next frame.
    func receive() throws -> (type: SyncProtocol.FrameType, payload: [UInt8]) {
        let head = try readExactly(5)
        guard let type = SyncProtocol.FrameType(rawValue: head[0]) else {
            throw QuireError(.corrupt, "\(peer) sent a frame of unknown type 0x\(String(head[0], radix: 16)): not the Quire sync protocol")
        }
        let length = head[1...].reduce(0) { $0 << 8 | Int($1) }
        guard length <= SyncProtocol.maxPayload else {
            throw QuireError(.corrupt, "\(peer) sent a frame of \(length) bytes, more than the protocol allows (\(SyncProtocol.maxPayload))")
        }
        return (type, try readExactly(length))
    }

    /// The next frame, which must be JSON of one of `types`; an error frame is thrown as the
    /// error it reports.
    func receiveJSON(_ types: Set<SyncProtocol.FrameType>, what: String) throws -> (type: SyncProtocol.FrameType, json: JSON) {
        let frame = try receive()
        if frame.type == .error { throw remoteError(frame.payload) }
        guard types.contains(frame.type) else {
            throw QuireError(.corrupt, "\(peer) sent a '\(Character(UnicodeScalar(frame.type.rawValue)))' frame where \(what) was due")
        }
        do {
            return (frame.type, try JSON.parse(frame.payload))
        } catch {
            throw QuireError(.corrupt, "\(peer) sent \(what) that is not valid JSON")
        }
    }

    /// Reads the `D` frames of a bundle into `sink` up to its `E` frame; returns the `E` payload.
    func receiveData(_ sink: (UnsafeRawBufferPointer) throws -> Void) throws -> JSON {
        while true {
            let frame = try receive()
            switch frame.type {
            case .data: try frame.payload.withUnsafeBytes { try sink($0) }
            case .end: return (try? JSON.parse(frame.payload)) ?? .object([:])
            case .error: throw remoteError(frame.payload)
            default: throw QuireError(.corrupt, "\(peer) sent a '\(Character(UnicodeScalar(frame.type.rawValue)))' frame inside a bundle")
            }
        }
    }

    /// The error an `X` frame reports, as this side's error.
    func remoteError(_ payload: [UInt8]) -> QuireError {
        let json = try? JSON.parse(payload)
        let code = json?["code"]?.stringValue.flatMap(QuireError.Code.init(rawValue:)) ?? .refused
        let message = json?["message"]?.stringValue ?? String(decoding: payload.prefix(500), as: UTF8.self)
        return QuireError(code == .badArgument ? .refused : code, "\(peer): \(message)")
    }

    private func fill(_ count: Int, atStart: Bool) throws {
        if start > 0 && start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while buffer.count - start < count {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw QuireError(.io, "reading from \(peer) failed: \(String(cString: strerror(errno)))") }
            if n == 0 {
                if atStart && buffer.count - start > 0 {
                    let said = String(decoding: buffer[start...], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    throw QuireError(.refused, "\(peer) did not answer as `quire serve` does: it said \"\(said)\"")
                }
                throw onClosed()
            }
            buffer += chunk[0..<n]
            bytesIn += n
        }
    }

    private func readExactly(_ count: Int, atStart: Bool = false) throws -> [UInt8] {
        try fill(count, atStart: atStart)
        let out = Array(buffer[start..<start + count])
        start += count
        if start > 1 << 20 { buffer.removeFirst(start); start = 0 }
        return out
    }

    /// Whatever more can be read now, up to `limit` bytes (for quoting a wrong answer).
    private func readAvailable(_ limit: Int) throws -> [UInt8] {
        var out = Array(buffer[start...].prefix(limit))
        start = buffer.count
        // Waits at most a moment: a program that said something and then waits for input
        // must not hang the error that quotes it.
        var ready = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
        if out.count < limit, poll(&ready, 1, 200) > 0 {
            var chunk = [UInt8](repeating: 0, count: limit - out.count)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(input, $0.baseAddress, $0.count) }
            if n > 0 { out += chunk[0..<n] }
        }
        return out
    }
}

/// The bytes waiting to fill the next `D` frame.
private final class DataFrameBuffer {
    var bytes: [UInt8] = []
}
