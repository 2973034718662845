import CorpusGenerator
import Foundation
import Hashing

/// The archive benchmark (issue 2): on a generated corpus, side by side in one run, Quire's first
/// ingest vs `git add -A && git commit`, unchanged re-ingest, a 10%-edit batch vs a git commit,
/// archive size vs the git repository after `git gc`, SHA-256 throughput vs `sha256sum`, and
/// peak memory (also for one large file, to show it does not grow with input size). When fossil is
/// installed it does the same steps as git on its own copy of the tree (its checkout file would
/// otherwise land in the tree the others read).
struct IngestBenchmark {
    let articles: Int
    let runs: Int
    let work: String
    let quire: String
    let bigFileMiB: Int

    struct Run {
        var quireFirst = 0.0, gitFirst = 0.0
        var quireUnchanged = 0.0, gitUnchanged = 0.0
        var quireEdit = 0.0, gitEdit = 0.0
        var quireBytes = 0, gitBytes = 0
        var fossilFirst = 0.0, fossilUnchanged = 0.0, fossilEdit = 0.0, fossilBytes = 0
        var peakKiB = 0
    }

    /// Runs `fossil COMMAND` in the checkout `checkout` (fossil works in the current directory).
    func fossil(_ checkout: String, _ command: String) -> Measured {
        Runner.run(["sh", "-c", "cd '\(checkout)' && fossil \(command)"], environment: ["HOME": work, "USER": "bench"])
    }

    func git(_ repo: String, _ tree: String, _ args: [String]) -> Measured {
        Runner.run(["git", "--git-dir=\(repo)", "--work-tree=\(tree)", "-c", "user.name=bench", "-c", "user.email=bench@example.org",
                    "-c", "gc.auto=0"] + args, check: args.first != "commit")
    }

    func run() -> [String] {
        let fm = FileManager.default
        try? fm.removeItem(atPath: work)
        try! fm.createDirectory(atPath: work, withIntermediateDirectories: true)
        let corpus = NewsCorpus(articles: articles, seed: 2024)
        let source = work + "/corpus"
        progress("generating \(articles) articles in \(source)")
        let snapshot = try! corpus.write(to: source)
        let edited = corpus.editedArticles(fraction: 0.10)
        progress("corpus: \(snapshot.files) files, \(Fmt.mib(snapshot.bytes)); the edit batch changes \(edited.count) articles")

        let hasFossil = Runner.exists("fossil")
        var results: [Run] = []
        for r in 1...runs {
            var m = Run()
            let tree = work + "/tree", archive = work + "/run.quire", repo = work + "/run.git"
            for path in [tree, archive, repo] { try? fm.removeItem(atPath: path) }
            Runner.run(["cp", "-a", source, tree])
            Runner.run(["sync"])

            // Each timed step starts after `sync`, so one tool's writeback does not land on the other's clock.
            func timed(_ arguments: [String]) -> Measured {
                Runner.run(["sync"])
                return Runner.run(arguments)
            }
            progress("run \(r)/\(runs): first ingest and unchanged re-ingest")
            let q1 = timed([quire, "-A", archive, "ingest", "-q", tree])
            let q2 = timed([quire, "-A", archive, "ingest", "-q", tree])
            m.quireFirst = q1.seconds
            m.quireUnchanged = q2.seconds
            Runner.run(["git", "init", "-q", "--bare", repo])
            Runner.run(["sync"])
            m.gitFirst = git(repo, tree, ["add", "-A"]).seconds + git(repo, tree, ["commit", "-q", "-m", "first"]).seconds
            Runner.run(["sync"])
            m.gitUnchanged = git(repo, tree, ["add", "-A"]).seconds

            progress("run \(r)/\(runs): 10% edit batch")
            try! corpus.write(to: tree) { edited.contains($0) ? 2 : 1 }
            let q3 = timed([quire, "-A", archive, "ingest", "-q", tree])
            m.quireEdit = q3.seconds
            Runner.run(["sync"])
            m.gitEdit = git(repo, tree, ["add", "-A"]).seconds + git(repo, tree, ["commit", "-q", "-m", "edits"]).seconds
            m.peakKiB = max(q1.peakKiB, q2.peakKiB, q3.peakKiB)

            Runner.run(["git", "--git-dir=\(repo)", "gc", "-q"])
            m.quireBytes = Runner.diskBytes(archive)
            m.gitBytes = Runner.diskBytes(repo)
            if hasFossil {
                progress("run \(r)/\(runs): fossil")
                let checkout = work + "/tree-fossil", fossilRepo = work + "/run.fossil"
                for path in [checkout, fossilRepo] { try? fm.removeItem(atPath: path) }
                Runner.run(["cp", "-a", source, checkout])
                Runner.run(["fossil", "init", "-A", "bench", fossilRepo], environment: ["HOME": work])
                fossil(checkout, "open --force '\(fossilRepo)' >/dev/null")
                let commit = "commit --no-warnings --no-prompt --user bench -m"
                Runner.run(["sync"])
                m.fossilFirst = fossil(checkout, "addremove").seconds + fossil(checkout, commit + " first").seconds
                Runner.run(["sync"])
                m.fossilUnchanged = fossil(checkout, "addremove").seconds
                try! corpus.write(to: checkout) { edited.contains($0) ? 2 : 1 }
                Runner.run(["sync"])
                m.fossilEdit = fossil(checkout, "addremove").seconds + fossil(checkout, commit + " edits").seconds
                fossil(checkout, "close --force")
                Runner.run(["fossil", "rebuild", "--compress", "--vacuum", fossilRepo], environment: ["HOME": work])
                m.fossilBytes = Runner.diskBytes(fossilRepo)
                try? fm.removeItem(atPath: checkout)
            }
            results.append(m)
        }

        progress("SHA-256 throughput")
        let sha = shaThroughput()
        progress("peak memory for one \(bigFileMiB) MiB file")
        let big = bigFilePeak()

        func med(_ key: KeyPath<Run, Double>) -> Double { results.map { $0[keyPath: key] }.median }
        let files = Double(snapshot.files)
        let qFirst = med(\.quireFirst), gFirst = med(\.gitFirst)
        let qUnchanged = med(\.quireUnchanged), gUnchanged = med(\.gitUnchanged)
        let qEdit = med(\.quireEdit), gEdit = med(\.gitEdit)
        let qBytes = results.map { Double($0.quireBytes) }.median, gBytes = results.map { Double($0.gitBytes) }.median
        let fFirst = med(\.fossilFirst), fUnchanged = med(\.fossilUnchanged), fEdit = med(\.fossilEdit)
        let fBytes = results.map { Double($0.fossilBytes) }.median
        let peakMiB = Double(results.map(\.peakKiB).max()!) / 1024

        var lines: [String] = []
        lines.append("Corpus: \(articles) articles, \(snapshot.files) files (\(snapshot.copies) syndicated copies and recaptures), \(Fmt.mib(snapshot.bytes)); edit batch: \(edited.count) articles. Medians of \(runs) runs.")
        lines.append("")
        lines.append("| measurement | quire | git | ratio |")
        lines.append("|---|---|---|---|")
        lines.append("| first ingest (s) | \(Fmt.f(qFirst)) | \(Fmt.f(gFirst)) (`add -A` + `commit`) | quire \(Fmt.ratio(gFirst / qFirst)) faster |")
        lines.append("| first ingest (files/s) | \(Int(files / qFirst)) | \(Int(files / gFirst)) | \(Fmt.ratio(gFirst / qFirst)) |")
        lines.append("| unchanged re-ingest (s) | \(Fmt.f(qUnchanged)) | \(Fmt.f(gUnchanged)) (`add -A`, stat cache) | first ingest / re-ingest = \(Fmt.ratio(qFirst / qUnchanged)) |")
        lines.append("| 10%-edit batch (s) | \(Fmt.f(qEdit)) | \(Fmt.f(gEdit)) (`add -A` + `commit`) | quire \(Fmt.ratio(gEdit / qEdit)) faster |")
        lines.append("| size after both batches | \(Fmt.mib(Int(qBytes))) | \(Fmt.mib(Int(gBytes))) (after `git gc`) | quire / git = \(Fmt.ratio(qBytes / gBytes)) |")
        lines.append("| SHA-256, one stream (MB/s) | \(Int(sha.quire)) | \(Int(sha.sha256sum)) (`sha256sum`) | \(Fmt.ratio(sha.quire / sha.sha256sum)) |")
        lines.append("| SHA-256, portable Swift (MB/s) | \(Int(sha.portable)) | | \(Fmt.ratio(sha.portable / sha.sha256sum)) |")
        lines.append("| peak memory, corpus ingests | \(Fmt.f(peakMiB, 1)) MiB | | |")
        lines.append("| peak memory, one \(bigFileMiB) MiB file | \(Fmt.f(Double(big) / 1024, 1)) MiB | | |")
        lines.append("")
        if hasFossil {
            lines.append("The same steps with fossil (`addremove` + `commit`; size after `rebuild --compress --vacuum`):")
            lines.append("")
            lines.append("| measurement | quire | fossil | ratio |")
            lines.append("|---|---|---|---|")
            lines.append("| first ingest (s) | \(Fmt.f(qFirst)) | \(Fmt.f(fFirst)) | quire \(Fmt.ratio(fFirst / qFirst)) faster |")
            lines.append("| unchanged re-ingest (s) | \(Fmt.f(qUnchanged)) | \(Fmt.f(fUnchanged)) (`addremove`) | quire \(Fmt.ratio(fUnchanged / qUnchanged)) faster |")
            lines.append("| 10%-edit batch (s) | \(Fmt.f(qEdit)) | \(Fmt.f(fEdit)) | quire \(Fmt.ratio(fEdit / qEdit)) faster |")
            lines.append("| size after both batches | \(Fmt.mib(Int(qBytes))) | \(Fmt.mib(Int(fBytes))) | quire / fossil = \(Fmt.ratio(qBytes / fBytes)) |")
            lines.append("")
        }
        lines.append("Targets (issue 2):")
        lines.append("- first ingest at least 2× git's files per second: \(Fmt.ratio(gFirst / qFirst)), " + (gFirst / qFirst >= 2 ? "met" : "NOT met"))
        lines.append("- unchanged re-ingest at least 5× faster than the first ingest: \(Fmt.ratio(qFirst / qUnchanged)), " + (qFirst / qUnchanged >= 5 ? "met" : "NOT met"))
        lines.append("- peak memory under 150 MB: \(Fmt.f(max(peakMiB, Double(big) / 1024) * 1.048576, 1)) MB, " + (max(peakMiB, Double(big) / 1024) * 1.048576 < 150 ? "met" : "NOT met"))
        lines.append("- SHA-256 at least 1.5× sha256sum: \(Fmt.ratio(sha.quire / sha.sha256sum)), " + (sha.quire / sha.sha256sum >= 1.5 ? "met" : "NOT met"))
        return lines
    }

    /// MB/s (10^6 bytes per second) hashing one 512 MiB file: sha256sum, Quire's SHA-256 (the
    /// implementation ingest uses), and the portable Swift one. Medians of five runs each.
    func shaThroughput() -> (quire: Double, portable: Double, sha256sum: Double) {
        let path = work + "/sha.bin"
        let size = 512 * 1024 * 1024
        if !FileManager.default.fileExists(atPath: path) {
            Runner.run(["sh", "-c", "head -c \(size) /dev/urandom > \(path)"])
        }
        Runner.run(["cat", path]) // warm the page cache
        let reference = String(Runner.run(["sha256sum", path]).output.prefix(64))
        var tool: [Double] = [], ours: [Double] = [], portable: [Double] = []
        for _ in 0..<5 {
            tool.append(Double(size) / 1e6 / Runner.run(["sha256sum", path]).seconds)
            for (implementation, into) in [(SHA256.Implementation.best, 0), (.portable, 1)] {
                let start = DispatchTime.now().uptimeNanoseconds
                let digest = hashFile(path, implementation)
                let rate = Double(size) / 1e6 / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                precondition(digest == reference, "SHA-256 disagrees with sha256sum")
                if into == 0 { ours.append(rate) } else { portable.append(rate) }
            }
        }
        return (ours.median, portable.median, tool.median)
    }

    private func hashFile(_ path: String, _ implementation: SHA256.Implementation) -> String {
        let handle = FileHandle(forReadingAtPath: path)!
        defer { try? handle.close() }
        var hasher = SHA256(implementation: implementation)
        let fd = handle.fileDescriptor
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n <= 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return hasher.finalize().hex
    }

    /// Peak KiB ingesting one large generated text file into a new archive.
    func bigFilePeak() -> Int {
        let dir = work + "/big"
        try? FileManager.default.removeItem(atPath: dir)
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let corpus = NewsCorpus(articles: 1, seed: 1)
        let chunk = corpus.content(0, version: 1)
        let handle = FileManager.default.createFile(atPath: dir + "/big.txt", contents: nil) ? FileHandle(forWritingAtPath: dir + "/big.txt")! : nil
        var written = 0
        var block = [UInt8]()
        while block.count < 1 << 20 { block += chunk }
        while written < bigFileMiB << 20 {
            handle!.write(Data(block))
            written += block.count
        }
        try? handle!.close()
        let m = Runner.run([quire, "-A", work + "/big.quire", "ingest", "-q", dir])
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.removeItem(atPath: work + "/big.quire")
        return m.peakKiB
    }
}

func progress(_ text: String) {
    FileHandle.standardError.write(("quire-bench: " + text + "\n").data(using: .utf8)!)
}
