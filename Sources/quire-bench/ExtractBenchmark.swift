import Foundation
import QuireKit

/// `quire-bench extract`: how fast article extraction (metadata and main text) runs on one core,
/// beside trafilatura on the same pages in the same run. The pages are read into memory first
/// (a `.gz` file is decompressed with `gzip -dc`), so only extraction is timed; each run goes
/// through every page once, and the best run counts. trafilatura (when `python3 -c "import
/// trafilatura"` works) runs `trafilatura.extract(page, with_metadata=True)`, which also gives
/// both, on the same bytes, timed inside Python the same way. `--dump FILE` writes what Quire
/// extracted, one JSON line per page (`file`, `fields`, `text`), for scoring scripts.
struct ExtractBenchmark {
    let folders: [String]
    let runs: Int
    let dump: String?
    let python: String

    func run() -> [String] {
        let pages = loadPages()
        guard !pages.isEmpty else { return ["no pages found in \(folders.joined(separator: ", "))"] }
        let bytes = pages.reduce(0) { $0 + $1.bytes.count }
        var best = Double.infinity
        var fieldsFound = 0
        for _ in 0..<max(1, runs) {
            let start = DispatchTime.now().uptimeNanoseconds
            var found = 0
            for page in pages { found += MetadataExtractor.extract(page.bytes).fields.count }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = min(best, seconds)
            fieldsFound = found
        }
        if let dump { writeDump(pages, to: dump) }
        let quirePerSecond = Double(pages.count) / best
        var lines = [
            "Pages: \(pages.count) (\(Fmt.mib(bytes))) from \(folders.joined(separator: ", ")); best of \(runs) runs, one thread.",
            "",
            "| extractor | pages/s | MiB/s | time per pass |",
            "|---|---:|---:|---:|",
            "| Quire `MetadataExtractor.extract` | \(Fmt.f(quirePerSecond, 0)) | \(Fmt.f(Double(bytes) / 1_048_576 / best, 1)) | \(Fmt.f(best, 3)) s |",
        ]
        if let peer = trafilatura(pages) {
            let perSecond = Double(pages.count) / peer.seconds
            lines.append("| trafilatura \(peer.version) `extract(with_metadata=True)` | \(Fmt.f(perSecond, 1)) | \(Fmt.f(Double(bytes) / 1_048_576 / peer.seconds, 2)) | \(Fmt.f(peer.seconds, 2)) s |")
            lines.append("")
            lines.append("Quire extracts \(Fmt.f(quirePerSecond / perSecond, 1))× as many pages per second as trafilatura.")
        } else {
            lines.append("")
            lines.append("trafilatura is not installed for \(python) (`pip install trafilatura`); its column is left out.")
        }
        lines.append("(\(fieldsFound) metadata fields found per pass.)")
        return lines
    }

    private struct Page {
        let name: String
        let bytes: [UInt8]
    }

    private func loadPages() -> [Page] {
        var pages: [Page] = []
        for folder in folders {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), !isDirectory.boolValue,
               let data = FileManager.default.contents(atPath: folder) {
                pages.append(Page(name: folder.split(separator: "/").last.map(String.init) ?? folder, bytes: [UInt8](data)))
                continue
            }
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
            for name in names where name.hasSuffix(".html") || name.hasSuffix(".htm") || name.hasSuffix(".html.gz") {
                let path = folder + "/" + name
                if name.hasSuffix(".gz") {
                    pages.append(Page(name: String(name.dropLast(3)), bytes: gunzip(path)))
                } else if let data = FileManager.default.contents(atPath: path) {
                    pages.append(Page(name: name, bytes: [UInt8](data)))
                }
            }
        }
        return pages
    }

    /// The decompressed bytes of a gzip file, by `gzip -dc`.
    private func gunzip(_ path: String) -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return [] }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](data)
    }

    private func writeDump(_ pages: [Page], to path: String) {
        var out = ""
        for page in pages {
            let metadata = MetadataExtractor.extract(page.bytes)
            let line: JSON = ["file": .string(page.name), "kind": .string(metadata.kind), "encoding": .string(metadata.encoding),
                              "fields": .array(metadata.fields.map(\.json)), "text": .string(metadata.text)]
            out += line.canonical + "\n"
        }
        _ = FileManager.default.createFile(atPath: path, contents: Data(out.utf8))
    }

    /// trafilatura's time for one pass over the same pages (best of the runs), and its version.
    private func trafilatura(_ pages: [Page]) -> (seconds: Double, version: String)? {
        guard Runner.exists(python) else { return nil }
        let work = NSTemporaryDirectory() + "quire-bench-extract-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        for (n, page) in pages.enumerated() {
            _ = FileManager.default.createFile(atPath: work + "/\(n).html", contents: Data(page.bytes))
        }
        let script = """
            import os, sys, time, trafilatura
            d = sys.argv[1]; runs = int(sys.argv[2])
            pages = [open(os.path.join(d, f), 'rb').read() for f in sorted(os.listdir(d))]
            best = None
            for _ in range(runs):
                t = time.perf_counter()
                for p in pages:
                    trafilatura.extract(p, with_metadata=True)
                s = time.perf_counter() - t
                best = s if best is None else min(best, s)
            print(best, trafilatura.__version__)
            """
        let result = Runner.run([python, "-c", script, work, String(max(1, min(runs, 2)))], check: false)
        let parts = result.output.split(separator: " ")
        guard result.status == 0, parts.count >= 2, let seconds = Double(parts[0]) else { return nil }
        return (seconds, parts[1].trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
