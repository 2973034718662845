// libFuzzer target: the metadata extractors, date and URL parsing, sentence diff and sketches
// must turn any bytes into a result, never crash or hang.
@testable import QuireKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let metadata = MetadataExtractor.extract(bytes)
    for field in metadata.fields where field.name == "url" { _ = URLKey.normalize(field.value) }
    let text = String(decoding: bytes, as: UTF8.self)
    _ = NewsDate.find(in: text)
    _ = MetadataExtractor.tidy(metadata.text)
    let half = text.prefix(text.count / 2)
    _ = TextDiff(old: String(half), new: text)
    _ = TextDiff.isTrivial(old: String(half), new: text)
    _ = ShingleSketch(text).similarity(ShingleSketch(String(half)))
    return 0
}
