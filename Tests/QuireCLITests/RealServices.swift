import Foundation
import Testing
import TestSupport

/// Ends a test whose real component (sshd, rclone, moto_server) cannot start: prints
/// "skipped: WHY" and cancels the test, so it is reported as skipped, never as a pass.
func skip(_ why: String) throws -> Never {
    print("skipped: \(why)")
    try Test.cancel("skipped: \(why)")
}

/// A free TCP port on 127.0.0.1 (bound and released; the caller binds it next).
func freePort() throws -> Int {
    let r = try runProcess("python3", ["-c", "import socket;s=socket.socket();s.bind(('127.0.0.1',0));print(s.getsockname()[1])"])
    guard r.status == 0, let port = Int(r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw QuireTestError("no free port: \(r.stderr)")
    }
    return port
}

struct QuireTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Waits up to `seconds` for `ready` to hold.
func waitFor(_ seconds: Double, _ ready: () -> Bool) -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if ready() { return true }
        usleep(100_000)
    }
    return ready()
}

/// A real OpenSSH server (Debian's openssh-server) on 127.0.0.1 at a free port, with a host key,
/// a client key in `authorized_keys` and a second key that is not, all in a temporary folder;
/// stopped when released. `sshCommand` is the QUIRE_SSH_COMMAND that reaches it with the key.
final class SSHServer {
    let dir = TemporaryDirectory("sshd")
    let port: Int
    private let pid: Int32

    /// Starts sshd, or skips the test saying why it cannot.
    init(extraAuthorizedKeys: (_ dir: TemporaryDirectory) throws -> String = { _ in "" }, remotePath: String? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd"), toolExists("ssh"), toolExists("ssh-keygen") else {
            try skip("sshd or ssh is not installed (apt-get install openssh-server openssh-client)")
        }
        for key in ["host", "user", "stranger", "reader"] {
            let r = try runProcess("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", dir.file(key)])
            guard r.status == 0 else { try skip("ssh-keygen failed: \(r.stderr)") }
        }
        try dir.write("authorized_keys", String(decoding: try readFile(dir.file("user.pub")), as: UTF8.self) + (try extraAuthorizedKeys(dir)))
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        port = try freePort()
        var options = ["-f", "/dev/null", "-o", "Port=\(port)", "-o", "ListenAddress=127.0.0.1", "-o", "HostKey=\(dir.file("host"))",
                       "-o", "AuthorizedKeysFile=\(dir.file("authorized_keys"))", "-o", "PidFile=\(dir.file("sshd.pid"))",
                       "-o", "StrictModes=no", "-o", "UsePAM=no", "-E", dir.file("sshd.log")]
        if let remotePath { options += ["-o", "SetEnv=PATH=\(remotePath):/usr/local/bin:/usr/bin:/bin"] }
        let started = try runProcess("/usr/sbin/sshd", options)
        let pidFile = dir.file("sshd.pid")
        // The pid file can be seen before its number is written: wait for the number.
        func readPid() -> Int32? {
            (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        guard started.status == 0, waitFor(10, { readPid() != nil }), let pid = readPid() else {
            let log = (try? String(contentsOfFile: dir.file("sshd.log"), encoding: .utf8)) ?? ""
            try skip("sshd could not start (are we root?): \(started.stderr) \(log)")
        }
        self.pid = pid
    }

    deinit { kill(pid, SIGKILL) }

    /// An ssh command line for QUIRE_SSH_COMMAND with `key`.
    func sshCommand(key: String = "user") -> String {
        "ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=\(dir.file("known_hosts")) -o BatchMode=yes -o AddressFamily=inet -o LogLevel=ERROR -i \(dir.file(key)) -p \(port)"
    }

    /// The environment for quire commands that reach this server.
    func environment(key: String = "user") -> [String: String] { ["QUIRE_SSH_COMMAND": sshCommand(key: key)] }
}
