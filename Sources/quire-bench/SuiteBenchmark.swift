import CorpusGenerator
import Foundation

/// The search and scaling measurements of the full suite (issue 7), on an archive of the
/// generated corpus: search latency (p50 and p99 over 100 queries of one to three words drawn
/// from the corpus's vocabulary, the index built by a first search, not timed) and the first
/// ingest's time with 1 thread and with every core.
struct SearchAndScalingBenchmark {
    let articles: Int
    let work: String
    let quire: String

    func run() -> [String] {
        let fm = FileManager.default
        try? fm.removeItem(atPath: work)
        try! fm.createDirectory(atPath: work, withIntermediateDirectories: true)
        progress("generating \(articles) articles for search and scaling")
        _ = try! NewsCorpus(articles: articles, seed: 2024).write(to: work + "/corpus")
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var lines: [String] = []

        var ingest: [Int: Double] = [:]
        for threads in Array(Set([1, cores])).sorted() {
            try? fm.removeItem(atPath: work + "/t.quire")
            Runner.run(["sync"])
            ingest[threads] = Runner.run([quire, "-A", work + "/t.quire", "ingest", "-q", "--threads", String(threads), work + "/corpus"]).seconds
        }
        progress("building the search index")
        let archive = work + "/t.quire"
        let build = Runner.run([quire, "-A", archive, "search", "--json", "harbour"])
        var words: [String] = []
        for line in Runner.run([quire, "-A", archive, "search", "--json", "--limit", "50", "the"]).output.split(separator: "\"") where line.count > 4 {
            for w in line.split(separator: " ") where w.count >= 5 && w.allSatisfy(\.isLetter) { words.append(String(w).lowercased()) }
        }
        if words.isEmpty { words = ["council", "harbour", "minister", "report", "budget"] }
        var rng = SystemRandomNumberGenerator()
        var latencies: [Double] = []
        progress("100 searches")
        for _ in 0..<100 {
            let query = (0..<(1 + Int.random(in: 0..<3, using: &rng))).map { _ in words.randomElement(using: &rng)! }
            latencies.append(Runner.run([quire, "-A", archive, "search", "--json"] + query).seconds)
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        lines.append("| search latency p50 / p99 (ms, whole command) | \(Fmt.f(percentile(0.5) * 1000, 0)) / \(Fmt.f(percentile(0.99) * 1000, 0)) | | index built in \(Fmt.f(build.seconds)) s by the first search |")
        let one = ingest[1] ?? 0, all = ingest[cores] ?? one
        lines.append("| first ingest with 1 thread / \(cores) (s) | \(Fmt.f(one)) / \(Fmt.f(all)) | | speed-up \(Fmt.ratio(one / max(all, 0.001))) on \(cores) cores |")
        return lines
    }
}

/// Every benchmark for each corpus size, one report (issue 7).
struct SuiteBenchmark {
    let sizes: [Int]
    let runs: Int
    let work: String
    let quire: String

    func run() -> [String] {
        var out: [String] = []
        for size in sizes {
            out.append("### \(size) articles")
            out.append("")
            out += IngestBenchmark(articles: size, runs: runs, work: work + "/ingest-\(size)", quire: quire, bigFileMiB: 256).run()
            out.append("")
            out += SyncBenchmark(articles: size, newArticles: 100, runs: runs, work: work + "/sync-\(size)", quire: quire).run()
            out.append("")
            out += VerifyBenchmark(articles: size, runs: runs, work: work + "/verify-\(size)", quire: quire).run()
            out.append("")
            out.append("| measurement | quire | git | note |")
            out.append("|---|---|---|---|")
            out += SearchAndScalingBenchmark(articles: size, work: work + "/search-\(size)", quire: quire).run()
            out.append("")
            for sub in ["ingest", "sync", "verify", "search"] { try? FileManager.default.removeItem(atPath: work + "/\(sub)-\(size)") }
        }
        return out
    }
}
