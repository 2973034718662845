internal import CZlib

/// CRC-32 (as in gzip and zip), computed with zlib's `crc32`.
public func crc32(_ bytes: UnsafeRawBufferPointer, previous: UInt32 = 0) -> UInt32 {
    UInt32(CZlib.crc32(UInt(previous), bytes.baseAddress?.assumingMemoryBound(to: Bytef.self), UInt32(bytes.count)))
}

/// The zlib library version this program runs with (`zlibVersion`).
public var zlibVersionString: String { String(cString: zlibVersion()) }
