// libFuzzer target: the WARC/ARC reader and record interpretation must report damage, never crash.
#if canImport(Glibc)
import Glibc
#endif
@testable import QuireKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = "/tmp/quire-fuzz-warc-\(getpid()).warc"
    guard let file = fopen(path, "wb") else { return 0 }
    fwrite(data, 1, size, file)
    fclose(file)
    defer { unlink(path) }
    guard var reader = try? WARCReader(path: path) else { return 0 }
    var count = 0
    while let item = reader.next(), count < 10_000 {
        if case .record(let record) = item { _ = WARCEntry.interpret(record, file: "fuzz.warc") }
        count += 1
    }
    reader.close()
    return 0
}
