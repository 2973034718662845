import CorpusGenerator
import Foundation

/// The verify benchmark (issue 4): on the generated archive after two batches (the corpus, then
/// 10% of its articles edited), `quire verify` (full and quick) side by side with `git fsck` on a
/// repository of the same two snapshots after `git gc`. Throughput is original bytes (every
/// distinct blob's size) per second.
struct VerifyBenchmark {
    let articles: Int
    let runs: Int
    let work: String
    let quire: String

    func git(_ args: [String]) -> Measured {
        Runner.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", "-c", "gc.auto=0"] + args)
    }

    func run() -> [String] {
        let fm = FileManager.default
        try? fm.removeItem(atPath: work)
        try! fm.createDirectory(atPath: work, withIntermediateDirectories: true)
        let corpus = NewsCorpus(articles: articles, seed: 2024)
        let tree = work + "/tree", archive = work + "/bench.quire", repo = work + "/repo.git"
        progress("generating \(articles) articles")
        let snapshot = try! corpus.write(to: tree)
        progress("building the archive and the git repository (two batches)")
        Runner.run([quire, "-A", archive, "ingest", "-q", tree])
        Runner.run(["git", "init", "-q", "--bare", repo])
        _ = git(["--git-dir=\(repo)", "--work-tree=\(tree)", "add", "-A"])
        _ = git(["--git-dir=\(repo)", "--work-tree=\(tree)", "commit", "-q", "-m", "first"])
        let edited = corpus.editedArticles(fraction: 0.1)
        try! corpus.write(to: tree) { edited.contains($0) ? 2 : 1 }
        Runner.run([quire, "-A", archive, "ingest", "-q", tree])
        _ = git(["--git-dir=\(repo)", "--work-tree=\(tree)", "add", "-A"])
        _ = git(["--git-dir=\(repo)", "--work-tree=\(tree)", "commit", "-q", "-m", "second"])
        _ = git(["--git-dir=\(repo)", "gc", "-q"])
        let stats = Runner.run([quire, "-A", archive, "stats", "--json"]).output
        let original = (try? JSONSerialization.jsonObject(with: Data(stats.utf8)) as? [String: Any])?["original_bytes"] as? Int ?? snapshot.bytes

        var full: [Double] = [], quick: [Double] = [], fsck: [Double] = [], fsckConnectivity: [Double] = []
        var peak: [Int] = []
        for r in 1...runs {
            progress("run \(r)/\(runs)")
            Runner.run(["sync"])
            let f = Runner.run([quire, "-A", archive, "verify", "-q"])
            full.append(f.seconds)
            peak.append(f.peakKiB)
            quick.append(Runner.run([quire, "-A", archive, "verify", "-q", "--quick"]).seconds)
            fsck.append(git(["--git-dir=\(repo)", "fsck", "--full", "--no-progress"]).seconds)
            fsckConnectivity.append(git(["--git-dir=\(repo)", "fsck", "--connectivity-only", "--no-progress"]).seconds)
        }
        let mb = Double(original) / 1e6
        let (qf, qq, gf, gc) = (full.median, quick.median, fsck.median, fsckConnectivity.median)
        var lines: [String] = []
        lines.append("Archive: \(articles) articles after two batches (the corpus, then 10% edited): \(Fmt.mib(original)) of distinct blobs. Medians of \(runs) runs.")
        lines.append("")
        lines.append("| measurement | quire | git | ratio |")
        lines.append("|---|---|---|---|")
        lines.append("| full check (s) | \(Fmt.f(qf)) (`verify`) | \(Fmt.f(gf)) (`fsck --full`, after `gc`) | quire \(Fmt.ratio(gf / qf)) faster |")
        lines.append("| full check (MB/s of original bytes) | \(Fmt.f(mb / qf, 0)) | \(Fmt.f(mb / gf, 0)) | |")
        lines.append("| without reading content (s) | \(Fmt.f(qq, 3)) (`verify --quick`) | \(Fmt.f(gc, 3)) (`fsck --connectivity-only`) | quire \(Fmt.ratio(gc / qq)) faster |")
        lines.append("| peak memory, full verify | \(Fmt.mib(peak.max()! * 1024)) | | |")
        lines.append("")
        lines.append("Target (issue 4): verify faster than `git fsck`: \(Fmt.ratio(gf / qf)), " + (qf < gf ? "met" : "NOT met"))
        return lines
    }
}
