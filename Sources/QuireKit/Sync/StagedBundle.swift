#if canImport(Glibc)
import Glibc
#endif

/// A bundle read from a stream (stdin, a pipe) into a scratch file without a name, so the
/// import can check its trailing hash before trusting it, and a kill leaves nothing behind. The
/// magic is checked before anything else is read: a stream that is not a bundle is refused at
/// once. A class because it owns the scratch file; the bundle is gone when it is released.
public final class StagedBundle {
    /// The path the staged bytes can be opened by while this object lives.
    public let path: String
    /// What messages call the bundle.
    public let name: String
    private let scratch: SpillFile

    /// Reads `descriptor` to its end into a scratch file in `directory`.
    public init(reading descriptor: Int32, name: String, in directory: String) throws {
        self.name = name
        var start: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        func next() throws -> Int {
            while true {
                let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { throw QuireError(.io, "reading \(name) failed: \(String(cString: strerror(errno)))") }
                return n
            }
        }
        var n = 0
        repeat {
            n = try next()
            start += buffer[0..<n]
        } while n > 0 && start.count < BundleFormat.magic.count
        guard start.count >= BundleFormat.magic.count, Array(start[0..<BundleFormat.magic.count]) == BundleFormat.magic else {
            throw QuireError(.badBundle, "\(name) is not a Quire bundle (it does not start with \"QUIREBDL\")")
        }
        scratch = try SpillFile(in: directory)
        path = scratch.path
        _ = try scratch.append(start)
        while true {
            let n = try next()
            if n == 0 { break }
            try buffer.withUnsafeBytes { try scratch.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }
}
