#if canImport(Glibc)
import Glibc
#endif
import CorpusGenerator
import Foundation

/// The remote benchmark (issue 19): a real sshd on 127.0.0.1 (started here, in the work folder,
/// as the tests start it), and through it, side by side: `quire clone` of the generated archive
/// (ssh, `quire serve --stdio` at the far end) against `git clone` of the same files from a bare
/// repository over the same sshd; then an incremental pull of a batch of new articles end to end
/// (`quire pull` against `git pull`; each run clones anew and pulls its own batch), with the bytes on the wire per new article (quire counts
/// its frames both ways; beside it stand git's packed repository and the objects a pull adds).
struct RemoteBenchmark {
    let articles: Int
    let newArticles: Int
    let runs: Int
    let work: String
    let quire: String

    struct Run {
        var clone = 0.0, gitClone = 0.0, pull = 0.0, gitPull = 0.0
        var cloneWire = 0, pullWire = 0, gitPackBytes = 0, gitIncPackBytes = 0
    }

    /// Starts sshd with keys made in `dir`; returns its pid and the ssh command line that reaches it.
    func startSSHD(in dir: String) -> (pid: Int32, ssh: String) {
        for key in ["host", "user"] { Runner.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir + "/" + key]) }
        try! FileManager.default.copyItem(atPath: dir + "/user.pub", toPath: dir + "/authorized_keys")
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let port = Int(Runner.run(["python3", "-c", "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"])
            .output.trimmingCharacters(in: .whitespacesAndNewlines))!
        Runner.run(["/usr/sbin/sshd", "-f", "/dev/null", "-o", "Port=\(port)", "-o", "ListenAddress=127.0.0.1", "-o", "HostKey=\(dir)/host",
                    "-o", "AuthorizedKeysFile=\(dir)/authorized_keys", "-o", "PidFile=\(dir)/sshd.pid", "-o", "StrictModes=no",
                    "-o", "UsePAM=no", "-E", dir + "/sshd.log"])
        var pid: Int32? = nil
        for _ in 0..<100 where pid == nil {
            pid = (try? String(contentsOfFile: dir + "/sshd.pid", encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if pid == nil { usleep(100_000) }
        }
        guard let pid else { fatalError("sshd did not start; see \(dir)/sshd.log") }
        let ssh = "ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=\(dir)/known_hosts -o BatchMode=yes -o LogLevel=ERROR -i \(dir)/user -p \(port)"
        return (pid, ssh)
    }

    func git(_ args: [String], _ env: [String: String] = [:]) -> Measured {
        Runner.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", "-c", "gc.auto=0"] + args, environment: env)
    }

    func run() -> [String] {
        let fm = FileManager.default
        // The generated corpus is kept between invocations (it is the same for the same size and
        // seed, and takes minutes to write); everything else in the work folder is made anew.
        let marker = work + "/corpus.articles"
        let reuse = (try? String(contentsOfFile: marker, encoding: .utf8)) == String(articles)
        for name in (try? fm.contentsOfDirectory(atPath: work)) ?? [] where !(reuse && (name == "corpus" || name == "corpus.articles")) {
            try? fm.removeItem(atPath: work + "/" + name)
        }
        try! fm.createDirectory(atPath: work + "/sshd", withIntermediateDirectories: true)
        let (pid, ssh) = startSSHD(in: work + "/sshd")
        defer { kill(pid, SIGKILL) }
        let env = ["QUIRE_SSH_COMMAND": ssh, "GIT_SSH_COMMAND": ssh]
        let corpus = NewsCorpus(articles: articles, seed: 2024)
        if !reuse {
            progress("generating \(articles) articles")
            _ = try! corpus.write(to: work + "/corpus")
            try! String(articles).write(toFile: marker, atomically: true, encoding: .utf8)
        }
        let files = Int(Runner.run(["sh", "-c", "find '\(work)/corpus' -type f | wc -l"]).output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0

        // Built once: the archive and a git repository of the same files.
        let tree = work + "/tree", source = work + "/source.quire", repo = work + "/source.git"
        Runner.run(["cp", "-a", work + "/corpus", tree])
        progress("building the archive and the git repository")
        Runner.run([quire, "-A", source, "ingest", "-q", tree])
        Runner.run(["git", "init", "-q", "--bare", repo])
        _ = git(["--git-dir=\(repo)", "--work-tree=\(tree)", "add", "-A"])
        _ = git(["--git-dir=\(repo)", "--work-tree=\(tree)", "commit", "-q", "-m", "first"])
        _ = git(["--git-dir=\(repo)", "gc", "-q"])
        let gitPackBytes = Runner.diskBytes(repo + "/objects/pack")

        var results: [Run] = []
        for r in 1...runs {
            var m = Run()
            m.gitPackBytes = gitPackBytes
            let mine = work + "/mine-\(r).quire", clone = work + "/clone-\(r)"
            progress("run \(r)/\(runs): clone over ssh")
            Runner.run(["sync"])
            let cloned = Runner.run([quire, "clone", "--remote-quire", quire, "--json", "ssh://127.0.0.1" + source, mine], environment: env)
            m.clone = cloned.seconds
            m.cloneWire = Self.field(cloned.output, "bytes_received")
            Runner.run(["sync"])
            m.gitClone = git(["clone", "-q", "ssh://127.0.0.1" + repo, clone], env).seconds

            progress("run \(r)/\(runs): \(newArticles) new articles, pulled over ssh")
            let batch = tree + "/new-batch-\(r)"
            try! NewsCorpus(articles: newArticles, seed: 4242 + UInt64(r)).write(to: batch, withCopies: false)
            Runner.run([quire, "-A", source, "ingest", "-q", batch])
            _ = git(["--git-dir=\(repo)", "--work-tree=\(tree)", "add", "-A"])
            _ = git(["--git-dir=\(repo)", "--work-tree=\(tree)", "commit", "-q", "-m", "new batch \(r)"])
            let objectsBefore = Runner.diskBytes(clone + "/.git/objects")
            Runner.run(["sync"])
            let pulled = Runner.run([quire, "-A", mine, "pull", "--json"], environment: env)
            m.pull = pulled.seconds
            m.pullWire = Self.field(pulled.output, "bytes_received") + Self.field(pulled.output, "bytes_sent")
            Runner.run(["sync"])
            m.gitPull = git(["-C", clone, "pull", "-q", "--ff-only"], env).seconds
            m.gitIncPackBytes = Runner.diskBytes(clone + "/.git/objects") - objectsBefore
            let digests = [source, mine].map { Runner.run([quire, "-A", $0, "digest", "--content"]).output }
            if digests[0] != digests[1] { progress("WARNING: content digests differ after the pull") }
            for path in [mine, clone] { try? fm.removeItem(atPath: path) }
            results.append(m)
        }

        func med(_ key: KeyPath<Run, Double>) -> Double { results.map { $0[keyPath: key] }.median }
        func medInt(_ key: KeyPath<Run, Int>) -> Int { Int(results.map { Double($0[keyPath: key]) }.median) }
        var lines: [String] = []
        lines.append("Archive: \(articles) articles, \(files) files; incremental batch: \(newArticles) new articles; sshd on 127.0.0.1. Medians of \(runs) runs.")
        lines.append("")
        lines.append("| measurement | quire | git | ratio |")
        lines.append("|---|---|---|---|")
        lines.append("| clone over ssh (s) | \(Fmt.f(med(\.clone))) | \(Fmt.f(med(\.gitClone))) (`git clone ssh://…`) | quire / git = \(Fmt.ratio(med(\.clone) / med(\.gitClone))) |")
        lines.append("| clone: bytes on the wire | \(Fmt.mib(medInt(\.cloneWire))) | \(Fmt.mib(medInt(\.gitPackBytes))) (the packed repository) | \(Fmt.ratio(Double(medInt(\.cloneWire)) / Double(medInt(\.gitPackBytes)))) |")
        lines.append("| pull of \(newArticles) new articles, end to end (s) | \(Fmt.f(med(\.pull), 3)) | \(Fmt.f(med(\.gitPull), 3)) (`git pull --ff-only`) | quire / git = \(Fmt.ratio(med(\.pull) / med(\.gitPull))) |")
        lines.append("| pull: bytes on the wire, both ways | \(Fmt.f(Double(medInt(\.pullWire)) / 1024, 1)) KiB | \(Fmt.f(Double(medInt(\.gitIncPackBytes)) / 1024, 1)) KiB (objects added to the clone) | |")
        lines.append("| bytes on the wire per new article | \(medInt(\.pullWire) / max(newArticles, 1)) | \(medInt(\.gitIncPackBytes) / max(newArticles, 1)) | |")
        return lines
    }

    /// An integer field of a JSON report, 0 when absent.
    static func field(_ json: String, _ name: String) -> Int {
        guard let data = json.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return 0 }
        if let n = object[name] as? Int { return n }
        if let exchange = object["exchange"] as? [String: Any], let n = exchange[name] as? Int { return n }
        return 0
    }
}
