import CorpusGenerator
import Foundation

// quire-bench: the benchmarks in docs/benchmarks.md. Build and run with
//   swift run -c release quire-bench ingest|sync|remote|verify [--articles N] [--runs N] [--work DIR]
//   swift run -c release quire-bench warc [--corpora DIR] [--runs N]
//   swift run -c release quire-bench generate N DIR

let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String, _ fallback: String) -> String {
    if let i = arguments.firstIndex(of: "--" + name), i + 1 < arguments.count { return arguments[i + 1] }
    return fallback
}

let quireBinary = ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
    .split(separator: "/").dropLast().joined(separator: "/")
let quire = "/" + quireBinary + "/quire"

/// Prints a benchmark's results under a heading, with the machine they ran on.
func printReport(_ title: String, _ lines: [String]) {
    print("## \(title)\n")
    print("Machine:\n" + Machine.describe().map { "- " + $0 }.joined(separator: "\n") + "\n")
    print(lines.joined(separator: "\n"))
}

// `--help` anywhere prints the usage instead of starting a long benchmark.
let command = arguments.contains("--help") || arguments.contains("-h") ? "--help" : arguments.first

switch command {
case "generate":
    guard arguments.count >= 3, let n = Int(arguments[1]) else {
        print("usage: quire-bench generate N DIR")
        exit(64)
    }
    let snapshot = try NewsCorpus(articles: n, seed: UInt64(option("seed", "2024"))!).write(to: arguments[2])
    print("\(snapshot.files) files, \(snapshot.bytes) bytes (\(snapshot.copies) copies) in \(arguments[2])")
case "edit":
    guard arguments.count >= 3, let n = Int(arguments[1]) else {
        print("usage: quire-bench edit N DIR [--fraction 0.1] [--seed S]")
        exit(64)
    }
    let corpus = NewsCorpus(articles: n, seed: UInt64(option("seed", "2024"))!)
    let edited = corpus.editedArticles(fraction: Double(option("fraction", "0.1"))!)
    try corpus.write(to: arguments[2]) { edited.contains($0) ? 2 : 1 }
    print("\(edited.count) articles edited in \(arguments[2])")
case "ingest":
    let benchmark = IngestBenchmark(articles: Int(option("articles", "40000"))!, runs: Int(option("runs", "3"))!,
                                    work: option("work", FileManager.default.currentDirectoryPath + "/bench-work"),
                                    quire: quire, bigFileMiB: Int(option("big-file-mib", "1024"))!)
    printReport("Archive benchmark (`quire-bench ingest`)", benchmark.run())
case "sync":
    let benchmark = SyncBenchmark(articles: Int(option("articles", "40000"))!, newArticles: Int(option("new", "100"))!,
                                  runs: Int(option("runs", "3"))!,
                                  work: option("work", FileManager.default.currentDirectoryPath + "/bench-work/sync"), quire: quire)
    printReport("Sync benchmark (`quire-bench sync`)", benchmark.run())
case "remote":
    let benchmark = RemoteBenchmark(articles: Int(option("articles", "44500"))!, newArticles: Int(option("new", "100"))!,
                                    runs: Int(option("runs", "3"))!,
                                    work: option("work", FileManager.default.currentDirectoryPath + "/bench-work/remote"), quire: quire)
    printReport("Remote benchmark (`quire-bench remote`)", benchmark.run())
case "verify":
    let benchmark = VerifyBenchmark(articles: Int(option("articles", "40000"))!, runs: Int(option("runs", "3"))!,
                                    work: option("work", FileManager.default.currentDirectoryPath + "/bench-work/verify"), quire: quire)
    printReport("Verify benchmark (`quire-bench verify`)", benchmark.run())
case "extract":
    let shared = FileManager.default.currentDirectoryPath + "/../shared/corpora"
    // Folders are the arguments that are neither options nor an option's value.
    var folders: [String] = []
    var k = 1
    while k < arguments.count {
        if arguments[k].hasPrefix("--") { k += 2; continue }
        folders.append(arguments[k])
        k += 1
    }
    let benchmark = ExtractBenchmark(folders: folders.isEmpty ? [shared + "/meta-eval/html", shared + "/news-html/html"] : folders,
                                     runs: Int(option("runs", "3"))!, dump: arguments.contains("--dump") ? option("dump", "") : nil,
                                     python: option("python", "python3"))
    printReport("Extraction benchmark (`quire-bench extract`)", benchmark.run())
case "warc":
    let shared = option("corpora", FileManager.default.currentDirectoryPath + "/../shared/corpora")
    let benchmark = WARCBenchmark(series: WARCBenchmark.files(under: [shared + "/warc-real", shared + "/warc"]), runs: Int(option("runs", "5"))!,
                                  work: option("work", FileManager.default.currentDirectoryPath + "/bench-work/warc"), quire: quire)
    printReport("WARC benchmark (`quire-bench warc`)", benchmark.run())
case "suite":
    let sizes = option("sizes", "10000,40000,100000").split(separator: ",").compactMap { Int($0) }
    let benchmark = SuiteBenchmark(sizes: sizes, runs: Int(option("runs", "3"))!,
                                   work: option("work", FileManager.default.currentDirectoryPath + "/bench-work/suite"), quire: quire)
    printReport("Benchmark suite (`quire-bench suite`)", benchmark.run())
default:
    print("""
    usage: quire-bench <benchmark> [options]
      ingest [--articles 40000] [--runs 3] [--work DIR] [--big-file-mib 1024]
                             first ingest, re-ingest, edit batch, size, SHA-256, memory vs git and sha256sum
      sync [--articles 40000] [--new 100] [--runs 3] [--work DIR]
                             full and incremental bundles and imports vs git bundle
      remote [--articles 44500] [--new 100] [--runs 3] [--work DIR]
                             clone and pull over ssh (a real sshd on 127.0.0.1) vs git clone and pull
      verify [--articles 40000] [--runs 3] [--work DIR]
                             quire verify (full, quick) vs git fsck
      warc [--corpora DIR] [--runs 5] [--work DIR]
                             ingest of the real WARC/ARC series in DIR/warc-real and DIR/warc vs a warcio loop
      suite [--sizes 10000,40000,100000] [--runs 3] [--work DIR]
                             all of the above for each size, plus search latency and 1-to-all-cores scaling
      extract [DIR...] [--runs 3] [--dump FILE] [--python python3]
                             metadata and main-text extraction, pages/s on one core, vs trafilatura
                             (default: ../shared/corpora/meta-eval/html and news-html/html)
      generate N DIR [--seed S]
                             write a generated news corpus of N articles
      edit N DIR [--fraction 0.1] [--seed S]
                             rewrite that corpus in DIR with a share of its articles edited
    """)
    exit(command == nil || command == "--help" ? 0 : 64)
}
