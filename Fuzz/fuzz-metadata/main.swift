// libFuzzer target: the metadata and main-text extractors, charset sniffing, entity decoding,
// date and URL parsing, sentence diff, trivial-change check and sketches must turn any bytes into
// a result, never crash or hang, and in time linear in the input: an input that takes longer
// than `budget` (generous for an AddressSanitizer debug build) is reported as a crash, so a
// quadratic path is a failure even when it ends before libFuzzer's own -timeout.
import Dispatch
@testable import QuireKit

/// Time allowed for one input: 2 s, plus 32 s per MiB (a real 256 KiB page takes about 3.5 s here,
/// in a debug build with AddressSanitizer; a quadratic path on 256 KiB takes a minute or more).
func budget(_ size: Int) -> UInt64 { 2_000_000_000 + UInt64(size) * 32_000_000_000 / 1_048_576 }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let start = DispatchTime.now().uptimeNanoseconds
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let metadata = MetadataExtractor.extract(bytes)
    for field in metadata.fields where field.name == "url" { _ = URLKey.normalize(field.value) }
    _ = MetadataExtractor.extract(bytes, contentType: "text/html; charset=gb2312", url: "https://fuzz.example/a/b")
    _ = Charset.declaredInHTML(bytes)
    let text = String(decoding: bytes, as: UTF8.self)
    _ = HTMLEntities.decode(text, inAttribute: size % 2 == 0)
    _ = NewsDate.find(in: text)
    _ = NewsDate.parseValue(String(text.prefix(64)))
    _ = URLKey.resolve(String(text.prefix(200)), against: "https://fuzz.example/a/b?c")
    _ = MetadataExtractor.tidy(metadata.text)
    let half = text.prefix(text.count / 2)
    _ = TextDiff(old: String(half), new: text)
    _ = TextDiff.isTrivial(old: String(half), new: text)
    _ = ShingleSketch(text).similarity(ShingleSketch(String(half)))
    let elapsed = DispatchTime.now().uptimeNanoseconds - start
    if elapsed > budget(size) {
        fatalError("fuzz-metadata: \(size) bytes took \(elapsed / 1_000_000) ms, over the linear-time budget of \(budget(size) / 1_000_000) ms")
    }
    return 0
}
