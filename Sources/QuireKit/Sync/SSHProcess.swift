#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// `ssh HOST <remote quire> serve --stdio PATH`, started with pipes on its standard input and
/// output (the session) and standard error (kept, to say what went wrong). The ssh command is
/// `QUIRE_SSH_COMMAND` (shell text, as git's `GIT_SSH_COMMAND`), else `ssh`; the remote program
/// is shell text the remote runs (default `quire`). A class because it owns a process.
final class SSHProcess {
    let address: SSHAddress
    let remoteQuire: String
    private let pid: pid_t
    /// Our ends: we write the session to `input`, read it from `output`.
    let input: Int32
    let output: Int32
    private let errors: StderrCollector
    private var exitStatus: Int32?

    init(address: SSHAddress, remoteQuire: String?, readOnly: Bool = false) throws {
        self.address = address
        self.remoteQuire = remoteQuire ?? "quire"
        signal(SIGPIPE, SIG_IGN)
        let sshCommand = ProcessInfo.processInfo.environment["QUIRE_SSH_COMMAND"].flatMap { $0.isEmpty ? nil : $0 } ?? "ssh"
        var arguments = ["/bin/sh", "-c", sshCommand + " \"$@\"", "quire-ssh"]
        if let port = address.port { arguments += ["-p", String(port)] }
        arguments += ["--", address.destination, "\(self.remoteQuire) serve --stdio \(Self.shellQuotedPath(address.path))"]

        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0], errChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0, pipe(&errChild) == 0 else {
            throw QuireError(.io, "cannot make pipes for ssh: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errChild[1], 2)
        for fd in toChild + fromChild + errChild { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, argv, environ)
        close(toChild[0]); close(fromChild[1]); close(errChild[1])
        guard rc == 0 else {
            close(toChild[1]); close(fromChild[0]); close(errChild[0])
            throw QuireError(.io, "cannot run \(sshCommand): \(String(cString: strerror(rc)))")
        }
        for fd in [toChild[1], fromChild[0], errChild[0]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        self.pid = pid
        input = toChild[1]
        output = fromChild[0]
        errors = StderrCollector(fd: errChild[0])
    }

    deinit {
        _ = finish()
    }

    /// A path for the remote shell: single-quoted, a leading `~/` left outside the quotes so it expands.
    static func shellQuotedPath(_ path: String) -> String {
        func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        if path == "~" { return "~" }
        if path.hasPrefix("~/") { return "~/" + quote(String(path.dropFirst(2))) }
        return quote(path)
    }

    /// Closes the session's pipes and waits for ssh to exit; returns its status and what it
    /// wrote on standard error.
    @discardableResult
    func finish() -> (status: Int32, stderr: String) {
        if exitStatus == nil {
            close(input)
            close(output)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        }
        return (exitStatus!, errors.text())
    }

    /// The error to report when the session ended early: why, in words, from ssh's exit status
    /// and what it or the remote shell said.
    func failure(during what: String) -> QuireError {
        let (status, said) = finish()
        let quoted = said.trimmingCharacters(in: .whitespacesAndNewlines)
        let where_ = address.display
        let lower = quoted.lowercased()
        if status == 127 || status == 126 || ((lower.contains("not found") || lower.contains("no such file")) && lower.contains(remoteQuire.lowercased())) {
            return QuireError(.notFound, "\(address.destination) has no quire program at '\(remoteQuire)' (the remote shell said: \(quoted.isEmpty ? "status \(status)" : quoted)). Install quire there, or give its path with --remote-quire PATH (kept with `quire remote add NAME URL --remote-quire PATH`); nothing was changed")
        }
        if status == 255 {
            return QuireError(.io, "cannot reach \(where_) through ssh: \(quoted.isEmpty ? "ssh exited with status 255" : quoted) (the ssh command is QUIRE_SSH_COMMAND, else ssh); nothing was changed")
        }
        let tail = quoted.isEmpty ? "" : ": \(quoted)"
        return QuireError(.io, "the session with \(where_) ended \(what) (ssh exited with status \(status))\(tail); nothing was imported from an unfinished transfer")
    }
}

/// Reads a descriptor to its end on a thread of its own, keeping the last 8 KiB, so a child
/// writing much to standard error never blocks.
private final class StderrCollector: Sendable {
    private let state = Mutex<(bytes: [UInt8], done: Bool)>(([], false))
    private let finished = DispatchSemaphore(value: 0)

    init(fd: Int32) {
        let thread = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                state.withLock { s in
                    s.bytes += chunk[0..<n]
                    if s.bytes.count > 8192 { s.bytes.removeFirst(s.bytes.count - 8192) }
                }
            }
            close(fd)
            finished.signal()
        }
        thread.start()
    }

    /// Everything read, once the other end has closed (ssh has exited).
    func text() -> String {
        let done = state.withLock { $0.done }
        if !done {
            finished.wait()
            state.withLock { $0.done = true }
        }
        return String(decoding: state.withLock { $0.bytes }, as: UTF8.self)
    }
}
