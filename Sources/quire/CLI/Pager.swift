#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Long listings go through a pager when stdout is a terminal, as git does: `$PAGER`, else
/// `less -FRX` (quit at once when the text fits the screen, keep colours, leave the screen as it
/// is). `PAGER=` (empty) or `PAGER=cat`, `--no-pager`, `TERM=dumb`, a pipe or a file turn it off.
enum Pager {
    nonisolated(unsafe) private static var child: pid_t = 0
    nonisolated(unsafe) static var disabled = false

    /// Starts the pager, if stdout is a terminal, and sends stdout to it.
    static func start() {
        guard !disabled, child == 0, Output.stdoutIsTerminal else { return }
        let env = ProcessInfo.processInfo.environment
        // A dumb terminal cannot run a full-screen pager.
        if env["TERM"] == "dumb" { return }
        let command = env["PAGER"] ?? "less -FRX"
        let trimmed = command.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed != "cat" else { return }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        posix_spawn_file_actions_addclose(&actions, fds[0])
        defer { posix_spawn_file_actions_destroy(&actions) }
        // less reads its defaults from LESS when set (git sets FRX the same way).
        var environment = env
        if environment["LESS"] == nil { environment["LESS"] = "FRX" }
        let argv = ["/bin/sh", "-c", command]
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cArgs + cEnv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, cArgs, cEnv)
        close(fds[0])
        guard rc == 0 else { close(fds[1]); return }
        Output.flush()
        dup2(fds[1], STDOUT_FILENO)
        close(fds[1])
        child = pid
        // A pager that quits early closes the pipe: writes then fail quietly instead of killing us.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Sends what is left to the pager, closes it and waits for the reader to quit.
    static func finish() {
        guard child != 0 else { return }
        Output.flush()
        close(STDOUT_FILENO)
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        child = 0
    }
}
