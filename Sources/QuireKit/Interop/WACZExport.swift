#if canImport(Glibc)
import Glibc
#endif
import Deflate
import Foundation
import Hashing

/// `quire export wacz`: a web archive collection in one file (WACZ 1.1.1, the format
/// ReplayWeb.page and pywb load, checked by `wacz validate`), a ZIP holding:
///
/// | entry | content |
/// |---|---|
/// | `archive/data.warc.gz` | the WARC `export warc` writes (stored, not deflated, so records can be read at their offsets) |
/// | `indexes/index.cdxj` | its CDXJ index, as `export cdxj` writes it |
/// | `pages/pages.jsonl` | a header line, then one line per HTML capture: `id`, `url`, `ts`, `title` |
/// | `datapackage.json` | the Frictionless data package: every entry's path, size and SHA-256, `wacz_version`, `software`, `created`, `title` |
/// | `datapackage-digest.json` | the SHA-256 of `datapackage.json` |
public struct WACZExportReport: Sendable {
    public let warc: WARCExportReport
    public let pages: Int
    public let bytes: Int

    public var json: JSON {
        ["warc": warc.json, "pages": .int(Int64(pages)), "bytes": .int(Int64(bytes)), "skipped": warc.json["skipped"] ?? .array([])]
    }
}

extension Archive {
    /// Writes the sightings of `batch` (or all), recorded at or after `since`, to `path` as WACZ.
    /// The file appears complete or not at all. `progress` gets the captures written and their number.
    public func exportWACZ(to path: String, batch: String? = nil, since: String? = nil, title: String? = nil,
                           operator agent: String = Identity.defaultAgent, replace: Bool = false,
                           progress: ((Int, Int) -> Void)? = nil) throws -> WACZExportReport {
        try checkOutputPath(path, replace: replace)
        let captures = try warcCaptures(batch: batch, since: since)
        let created = WARCDate.normalized(Timestamp.now())!
        // The WARC goes to a temporary file first: a ZIP entry's CRC and size come before its data.
        let temporary = path + ".warc-" + Identity.newUUID()
        defer { unlink(temporary) }
        var crc: UInt32 = 0
        var hasher = SHA256()
        var warcSize = 0
        let result = try writeFileAtomically(temporary) { write in
            try writeWARC(captures, fileName: "data.warc.gz", agent: agent, progress: progress) { piece in
                crc = crc32(piece, previous: crc)
                hasher.update(piece)
                warcSize += piece.count
                try write(piece)
            }
        }
        let warcHash = hasher.finalize().hex
        let index = CDXJEntry.index(result.index, filename: "data.warc.gz")
        let pages = Self.pagesJSONL(result.pages)
        let resources: [(name: String, path: String, hash: String, bytes: Int)] = [
            ("data.warc.gz", "archive/data.warc.gz", warcHash, warcSize),
            ("index.cdxj", "indexes/index.cdxj", SHA256.hash(index).hex, index.count),
            ("pages.jsonl", "pages/pages.jsonl", SHA256.hash(pages).hex, pages.count),
        ]
        var package: [(String, JSON)] = [("profile", .string("data-package"))]
        package.append(("resources", .array(resources.map {
            .object(["name": .string($0.name), "path": .string($0.path), "hash": .string("sha256:" + $0.hash), "bytes": .int(Int64($0.bytes))])
        })))
        package.append(("wacz_version", .string("1.1.1")))
        package.append(("software", .string(Identity.tool)))
        package.append(("created", .string(created)))
        package.append(("title", .string(title ?? "Quire archive \(id)")))
        if let main = result.pages.first {
            package.append(("mainPageURL", .string(main.url)))
            package.append(("mainPageDate", .string(main.date)))
        }
        let datapackage = Array(Self.orderedJSON(package).utf8)
        let digest = Array(Self.orderedJSON([("path", .string("datapackage.json")), ("hash", .string("sha256:" + SHA256.hash(datapackage).hex))]).utf8)

        let total = try writeFileAtomically(path, replace: true) { write -> Int in
            var zip = ZIPWriter(modified: created)
            guard let input = fopen(temporary, "rb") else { throw QuireError(.io, "cannot read \(temporary): \(String(cString: strerror(errno)))") }
            defer { fclose(input) }
            try zip.addStored("archive/data.warc.gz", size: warcSize, crc: crc, to: write) { body in
                var buffer = [UInt8](repeating: 0, count: 1 << 18)
                while true {
                    let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, input) }
                    if n == 0 { break }
                    try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                }
            }
            try zip.addDeflated("indexes/index.cdxj", index, to: write)
            try zip.addDeflated("pages/pages.jsonl", pages, to: write)
            try zip.addDeflated("datapackage.json", datapackage, to: write)
            try zip.addDeflated("datapackage-digest.json", digest, to: write)
            try zip.finish(to: write)
            return zip.offset
        }
        return WACZExportReport(warc: result.report, pages: result.pages.count, bytes: total)
    }

    /// `pages/pages.jsonl`: the JSON Pages 1.0 header, then one line per page.
    static func pagesJSONL(_ pages: [WARCExportPage]) -> [UInt8] {
        var out = orderedJSON([("format", .string("json-pages-1.0")), ("id", .string("pages")), ("title", .string("All Pages"))], indent: false) + "\n"
        var seen = Set<String>()
        for page in pages {
            let id = String(SHA256.hash(WARCDate.timestamp(page.date) + "/" + page.url).hex.prefix(22))
            guard seen.insert(id).inserted else { continue }
            var fields: [(String, JSON)] = [("id", .string(id)), ("url", .string(page.url)), ("ts", .string(page.date))]
            fields.append(("title", .string(page.title ?? page.url)))
            out += orderedJSON(fields, indent: false) + "\n"
        }
        return Array(out.utf8)
    }

    /// A JSON object with its keys in the given order (indented by two spaces, as py-wacz writes
    /// its data package, or on one line).
    static func orderedJSON(_ fields: [(String, JSON)], indent: Bool = true) -> String {
        let parts = fields.map { CDXJEntry.pythonJSON($0.0) + ": " + $0.1.canonical }
        return indent ? "{\n  " + parts.joined(separator: ",\n  ") + "\n}" : "{" + parts.joined(separator: ", ") + "}"
    }
}
