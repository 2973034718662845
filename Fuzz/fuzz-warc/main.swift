// libFuzzer target: the WARC/ARC reader, record interpretation, HTTP de-chunking, digest labels
// and SURT keys must report damage (or give some answer), never crash or hang.
#if canImport(Glibc)
import Glibc
#endif
@testable import QuireKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let path = "/tmp/quire-fuzz-warc-\(getpid()).warc"
    guard let file = fopen(path, "wb") else { return 0 }
    fwrite(data, 1, size, file)
    fclose(file)
    defer { unlink(path) }
    guard var reader = try? WARCReader(path: path) else { return 0 }
    var count = 0
    while let item = reader.next(), count < 10_000 {
        if case .record(let record) = item {
            _ = WARCEntry.interpret(record, file: "fuzz.warc", exportedByQuire: count % 2 == 0)
        }
        count += 1
    }
    reader.close()
    // The pieces that read untrusted text on their own.
    _ = HTTPMessage.dechunk(bytes[...])
    _ = HTTPMessage(bytes)
    let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
    _ = WARCDigest(text)
    _ = SURT.key(text)
    _ = ARCHeaderLine(Array(bytes.prefix(4096)))
    return 0
}
