import CorpusGenerator
import Foundation

/// The sync benchmark (issue 3): on the generated archive, side by side with `git bundle`: a
/// full bundle (size, time) vs `git bundle create --all`; an incremental bundle after a batch of
/// new articles vs `git bundle create base..HEAD`; import times; and the incremental bundle's
/// size against the compressed size of what changed.
struct SyncBenchmark {
    let articles: Int
    let newArticles: Int
    let runs: Int
    let work: String
    let quire: String

    struct Run {
        var fullCreate = 0.0, gitFullCreate = 0.0, fullImport = 0.0, gitFullFetch = 0.0
        var fullBytes = 0, gitFullBytes = 0
        var incCreate = 0.0, gitIncCreate = 0.0, incImport = 0.0, gitIncFetch = 0.0
        var incBytes = 0, gitIncBytes = 0
        var changedGzipBytes = 0
    }

    func git(_ args: [String]) -> Measured {
        Runner.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", "-c", "gc.auto=0"] + args)
    }

    func timed(_ arguments: [String]) -> Measured {
        Runner.run(["sync"])
        return Runner.run(arguments)
    }

    func run() -> [String] {
        let fm = FileManager.default
        try? fm.removeItem(atPath: work)
        try! fm.createDirectory(atPath: work, withIntermediateDirectories: true)
        let corpus = NewsCorpus(articles: articles, seed: 2024)
        progress("generating \(articles) articles")
        let snapshot = try! corpus.write(to: work + "/corpus")
        let fresh = NewsCorpus(articles: newArticles, seed: 4242)

        var results: [Run] = []
        for r in 1...runs {
            var m = Run()
            let tree = work + "/tree", source = work + "/source.quire", receiver = work + "/receiver.quire"
            let repo = work + "/source.git", clone = work + "/clone.git"
            for path in [tree, source, receiver, repo, clone, work + "/full.bundle", work + "/full.gitbundle",
                         work + "/inc.bundle", work + "/inc.gitbundle"] { try? fm.removeItem(atPath: path) }
            Runner.run(["cp", "-a", work + "/corpus", tree])
            progress("run \(r)/\(runs): building the archive and the git repository")
            Runner.run([quire, "-A", source, "ingest", "-q", tree])
            Runner.run(["git", "init", "-q", "--bare", repo])
            _ = git(["--git-dir=\(repo)", "--work-tree=\(tree)", "add", "-A"])
            _ = git(["--git-dir=\(repo)", "--work-tree=\(tree)", "commit", "-q", "-m", "first"])
            _ = git(["--git-dir=\(repo)", "tag", "base"])

            progress("run \(r)/\(runs): full bundles")
            m.fullCreate = timed([quire, "-A", source, "bundle", "create", work + "/full.bundle", "--all"]).seconds
            m.gitFullCreate = timed(["git", "--git-dir=\(repo)", "bundle", "create", "-q", work + "/full.gitbundle", "--all"]).seconds
            m.fullBytes = Runner.diskBytes(work + "/full.bundle")
            m.gitFullBytes = Runner.diskBytes(work + "/full.gitbundle")
            Runner.run([quire, "init", receiver])
            m.fullImport = timed([quire, "-A", receiver, "bundle", "import", work + "/full.bundle"]).seconds
            Runner.run(["git", "init", "-q", "--bare", clone])
            m.gitFullFetch = timed(["git", "--git-dir=\(clone)", "fetch", "-q", work + "/full.gitbundle", "refs/*:refs/*"]).seconds

            progress("run \(r)/\(runs): a batch of \(newArticles) new articles, incremental bundles")
            let batch = tree + "/new-batch"
            try! fresh.write(to: batch, withCopies: false)
            Runner.run(["sh", "-c", "cd '\(batch)' && tar cf - . | gzip -6 > '\(work)/changed.tar.gz'"])
            m.changedGzipBytes = Runner.diskBytes(work + "/changed.tar.gz")
            // The new batch is ingested as what it is: the folder of the day's new articles.
            Runner.run([quire, "-A", source, "ingest", "-q", batch])
            _ = git(["--git-dir=\(repo)", "--work-tree=\(tree)", "add", "-A"])
            _ = git(["--git-dir=\(repo)", "--work-tree=\(tree)", "commit", "-q", "-m", "new batch"])
            Runner.run(["sh", "-c", "'\(quire)' -A '\(receiver)' state -o '\(work)/receiver.state'"])
            m.incCreate = timed([quire, "-A", source, "bundle", "create", work + "/inc.bundle", "--since", work + "/receiver.state"]).seconds
            m.gitIncCreate = timed(["git", "--git-dir=\(repo)", "bundle", "create", "-q", work + "/inc.gitbundle", "base..HEAD"]).seconds
            m.incBytes = Runner.diskBytes(work + "/inc.bundle")
            m.gitIncBytes = Runner.diskBytes(work + "/inc.gitbundle")
            m.incImport = timed([quire, "-A", receiver, "bundle", "import", work + "/inc.bundle"]).seconds
            m.gitIncFetch = timed(["git", "--git-dir=\(clone)", "fetch", "-q", work + "/inc.gitbundle", "refs/heads/*:refs/heads/*"]).seconds
            let digests = [source, receiver].map { Runner.run([quire, "-A", $0, "digest"]).output }
            if digests[0] == digests[1] { progress("note: digests equal before the import record travels back") }
            results.append(m)
        }

        func med(_ key: KeyPath<Run, Double>) -> Double { results.map { $0[keyPath: key] }.median }
        func medBytes(_ key: KeyPath<Run, Int>) -> Int { Int(results.map { Double($0[keyPath: key]) }.median) }
        let full = medBytes(\.fullBytes), gitFull = medBytes(\.gitFullBytes)
        let inc = medBytes(\.incBytes), gitInc = medBytes(\.gitIncBytes), changed = medBytes(\.changedGzipBytes)
        let createShare = med(\.incCreate) / med(\.fullCreate), importShare = med(\.incImport) / med(\.fullImport)

        var lines: [String] = []
        lines.append("Archive: \(articles) articles, \(snapshot.files) files; incremental batch: \(newArticles) new articles. Medians of \(runs) runs.")
        lines.append("")
        lines.append("| measurement | quire | git | ratio |")
        lines.append("|---|---|---|---|")
        lines.append("| full bundle size | \(Fmt.mib(full)) | \(Fmt.mib(gitFull)) (`git bundle create --all`) | quire / git = \(Fmt.ratio(Double(full) / Double(gitFull))) |")
        lines.append("| full bundle create (s) | \(Fmt.f(med(\.fullCreate))) | \(Fmt.f(med(\.gitFullCreate))) | quire \(Fmt.ratio(med(\.gitFullCreate) / med(\.fullCreate))) faster |")
        lines.append("| full bundle import (s) | \(Fmt.f(med(\.fullImport))) | \(Fmt.f(med(\.gitFullFetch))) (`git fetch` from the bundle) | quire \(Fmt.ratio(med(\.gitFullFetch) / med(\.fullImport))) faster |")
        lines.append("| incremental bundle size | \(Fmt.f(Double(inc) / 1024, 1)) KiB | \(Fmt.f(Double(gitInc) / 1024, 1)) KiB (`git bundle create base..HEAD`) | quire / git = \(Fmt.ratio(Double(inc) / Double(gitInc))) |")
        lines.append("| incremental create (s) | \(Fmt.f(med(\.incCreate), 3)) | \(Fmt.f(med(\.gitIncCreate), 3)) | \(Fmt.f(createShare * 100, 1))% of the full bundle's |")
        lines.append("| incremental import (s) | \(Fmt.f(med(\.incImport), 3)) | \(Fmt.f(med(\.gitIncFetch), 3)) | \(Fmt.f(importShare * 100, 1))% of the full import's |")
        lines.append("| what changed, `tar \\| gzip -6` | \(Fmt.f(Double(changed) / 1024, 1)) KiB | | incremental bundle / that = \(Fmt.ratio(Double(inc) / Double(changed))) |")
        lines.append("")
        lines.append("Targets (issue 3):")
        lines.append("- full bundle no larger than git's: \(Fmt.ratio(Double(full) / Double(gitFull))), " + (full <= gitFull ? "met" : "NOT met"))
        lines.append("- incremental creation and import under 5% of the full bundle's: \(Fmt.f(createShare * 100, 1))% and \(Fmt.f(importShare * 100, 1))%, " + (createShare < 0.05 && importShare < 0.05 ? "met" : "NOT met"))
        lines.append("- incremental size under 2× the compressed size of what changed: \(Fmt.ratio(Double(inc) / Double(changed))), " + (Double(inc) < 2 * Double(changed) ? "met" : "NOT met"))
        return lines
    }
}
