// libFuzzer target: opening, inspecting and checking a bundle against an archive must give a
// clear error for any bytes, never crash, and never change the archive; importing one either
// fails with nothing changed or succeeds with verify clean.
#if canImport(Glibc)
import Glibc
#endif
@testable import QuireKit

nonisolated(unsafe) private var archive: Archive? = {
    let path = "/tmp/quire-fuzz-bundle-\(getpid()).quire"
    unlink(path)
    return try? Archive.create(at: path)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = "/tmp/quire-fuzz-bundle-\(getpid()).bundle"
    guard let file = fopen(path, "wb") else { return 0 }
    fwrite(data, 1, size, file)
    fclose(file)
    defer { unlink(path) }
    _ = try? BundleInspection.inspect(path)
    if let archive {
        let before = try? archive.digest()
        _ = try? archive.verifyBundle(at: path)
        if (try? archive.digest()) != before { fatalError("verifying a bundle changed the archive") }
        if (try? archive.importBundle(at: path)) != nil {
            if let report = try? archive.verify(record: false), !report.isClean {
                fatalError("an imported bundle left problems: \(report.problems.map(\.description))")
            }
        } else if (try? archive.digest()) != before {
            fatalError("a refused bundle changed the archive")
        }
    }
    return 0
}
