import Foundation
import QuireKit

/// The WARC benchmark (issue 16): a series of real WARC and ARC files (by default every one in
/// ../shared/corpora/warc-real and ../shared/corpora/warc) ingested by `quire ingest` into a new
/// archive, side by side, run after run, with a Python loop over warcio that reads every record
/// and SHA-256-hashes its payload (chunked transfer encoding decoded, as Quire stores it). Quire
/// does more (metadata, text, compression, the archive), so the bar is to take no longer.
struct WARCBenchmark {
    let series: [String]
    let runs: Int
    let work: String
    let quire: String

    static let warcioLoop = """
        import sys, hashlib
        from warcio.archiveiterator import ArchiveIterator
        from warcio.bufferedreaders import ChunkedDataReader
        records = size = 0
        for path in sys.argv[1:]:
            with open(path, 'rb') as f:
                try:
                    for rec in ArchiveIterator(f):
                        stream = rec.raw_stream
                        if rec.http_headers is not None and rec.http_headers.get_header('transfer-encoding') == 'chunked':
                            stream = ChunkedDataReader(rec.raw_stream, decomp_type=None)
                        data = stream.read()
                        hashlib.sha256(data).hexdigest()
                        records += 1
                        size += len(data)
                except Exception:
                    pass
        print(records, size)
        """

    /// The WARC and ARC files under `folders`, sorted.
    static func files(under folders: [String]) -> [String] {
        var out: [String] = []
        for folder in folders {
            guard let walk = FileManager.default.enumerator(atPath: folder) else { continue }
            while let name = walk.nextObject() as? String {
                let lower = name.lowercased()
                if [".warc", ".warc.gz", ".arc", ".arc.gz"].contains(where: { lower.hasSuffix($0) }) { out.append(folder + "/" + name) }
            }
        }
        return out.sorted()
    }

    func run() -> [String] {
        let fm = FileManager.default
        try? fm.removeItem(atPath: work)
        try! fm.createDirectory(atPath: work, withIntermediateDirectories: true)
        let script = work + "/warcio-loop.py"
        try! WARCBenchmark.warcioLoop.write(toFile: script, atomically: true, encoding: .utf8)
        let compressed = series.reduce(0) { $0 + ((try? fm.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
        var quireTimes: [Double] = [], warcioTimes: [Double] = [], scanTimes: [Double] = [], peak: [Int] = []
        var scanned = 0
        var records = 0, payloadBytes = 0, sightings = "", archiveBytes = 0
        for r in 1...runs {
            progress("run \(r)/\(runs)")
            let archive = work + "/bench.quire"
            try? fm.removeItem(atPath: archive)
            Runner.run(["sync"])
            // Exit 1 is expected: some files hold damage (revisits of payloads found nowhere are pending, not failed).
            let q = Runner.run([quire, "-A", archive, "ingest", "--json"] + series, check: false)
            quireTimes.append(q.seconds)
            peak.append(q.peakKiB)
            if let json = try? JSONSerialization.jsonObject(with: Data(q.output.utf8)) as? [String: Any], let counts = json["counts"] as? [String: Int] {
                sightings = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            }
            archiveBytes = Runner.diskBytes(archive)
            Runner.run(["sync"])
            let w = Runner.run(["python3", script] + series)
            warcioTimes.append(w.seconds)
            // Quire's reader alone, the same work as the warcio loop (in this process).
            let start = DispatchTime.now().uptimeNanoseconds
            scanned = 0
            for file in series { scanned += (try? WARCScan(path: file))?.payloadBytes ?? 0 }
            scanTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            let parts = w.output.split(separator: " ")
            if parts.count == 2 { records = Int(parts[0]) ?? 0; payloadBytes = Int(parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 }
        }
        let (q, w, r) = (quireTimes.median, warcioTimes.median, scanTimes.median)
        var lines: [String] = []
        lines.append("Series: \(series.count) real WARC and ARC files, \(Fmt.mib(compressed)) as stored (\(records) records, \(Fmt.mib(payloadBytes)) of payloads as warcio reads them). Medians of \(runs) runs, the two side by side in each run.")
        lines.append("")
        lines.append("| measurement | quire ingest | warcio loop (read + SHA-256 of every payload) | Quire's reader alone (the same work) |")
        lines.append("|---|---|---|---|")
        lines.append("| seconds | \(Fmt.f(q)) | \(Fmt.f(w)) | \(Fmt.f(r)) |")
        lines.append("| MB/s of stored WARC | \(Fmt.f(Double(compressed) / 1e6 / q, 1)) | \(Fmt.f(Double(compressed) / 1e6 / w, 1)) | \(Fmt.f(Double(compressed) / 1e6 / r, 1)) |")
        lines.append("| peak memory | \(Fmt.mib(peak.max()! * 1024)) | | |")
        lines.append("")
        lines.append("Quire's ingest takes \(Fmt.ratio(q / w)) the time of the warcio loop (\(q <= w ? "the target is met" : "the target, 1×, is missed")), and its reader alone \(Fmt.ratio(r / w)); ingest also reads metadata and text, compresses and stores (archive: \(Fmt.mib(archiveBytes)); sightings: \(sightings)). All runs (s): quire \(quireTimes.map { Fmt.f($0) }.joined(separator: ", ")); warcio \(warcioTimes.map { Fmt.f($0) }.joined(separator: ", ")); reader \(scanTimes.map { Fmt.f($0) }.joined(separator: ", ")) (\(Fmt.mib(scanned)) of payloads).")
        return lines
    }
}
