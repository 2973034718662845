#if canImport(Glibc)
import Glibc
#endif

/// The C library's hold on memory the program has freed.
///
/// glibc gives each thread that allocates an arena of its own and keeps what is freed there for
/// later use, so a long run of several threads handing buffers to each other (ingest's readers,
/// encoders and writer; import's) keeps more and more free memory resident: at a million articles
/// an ingest held 178 MB from the system with 135 MB in use. `malloc_trim` hands every free page of
/// every arena back (`madvise`), so the resident size stays near what is in use.
enum Memory {
    /// glibc's `int malloc_trim(size_t pad)`, found at run time (Swift's Glibc module does not
    /// declare it; another C library may lack it).
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Returns the pages malloc holds free to the system (`malloc_trim(0)`: a few milliseconds);
    /// does nothing where there is no such call.
    static func returnFreePages() {
        _ = mallocTrim?(0)
    }
}
