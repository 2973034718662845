import Foundation
import Hashing

/// Signatures with the operator's SSH key, made and checked by OpenSSH's own `ssh-keygen -Y`
/// (the mechanism git uses for SSH signing), in the namespace `quire`.
///
/// What is signed is a chain tip: the chain hash the event would have without its `signature`
/// field (docs/schema.md), which covers the event itself and, through the chain, every earlier
/// event of its origin. The signature travels in the event's payload as
/// `"signature": {"key": "<type> <base64>", "principal": "<who>", "sig": "<armored SSH signature>"}`,
/// so the event's stored chain hash covers the signature too: cutting or altering it breaks the chain.
public enum SSHSignature {
    /// The `ssh-keygen -Y` namespace of every Quire signature.
    public static let namespace = "quire"

    /// The kinds whose events are signed when a signing key is set: batch close, import record,
    /// redaction decisions and fork resolutions.
    static let signedKinds: Set<EventKind> = [.batchClose, .importRecord, .redact, .reinstate, .purge, .merge]

    /// The text signed for event `seq` of `origin` whose unsigned chain hash is `hash`.
    static func message(origin: String, seq: Int, hash: String) -> String {
        "quire signed chain tip 1\norigin \(origin)\nseq \(seq)\nhash \(hash)\n"
    }

    /// The chain hash of an event as if its payload had no `signature` field.
    static func unsignedHash(previous: String, origin: String, seq: Int, kind: String, at: String, payload: JSON) -> String {
        var fields = payload.objectValue ?? [:]
        fields["signature"] = nil
        return Event.chainHash(previous: previous, origin: origin, seq: seq, kind: kind, at: at, payload: JSON.object(fields).canonical)
    }

    /// `ED25519 SHA256:…`, as `ssh-keygen -l` prints it, for a public key line (`type base64 [comment]`).
    public static func fingerprint(publicKey: String) -> String? {
        let parts = publicKey.split(separator: " ")
        guard parts.count >= 2, let blob = Data(base64Encoded: String(parts[1])) else { return nil }
        let digest = SHA256.hash(Array(blob))
        let encoded = Data(digest.bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
        let type = parts[0].replacingOccurrences(of: "ssh-", with: "").replacingOccurrences(of: "-cert-v01@openssh.com", with: "").uppercased()
        return "\(type) SHA256:\(encoded)"
    }

    /// The public key blob inside an armored SSH signature (`SSHSIG` format, PROTOCOL.sshsig), or
    /// nil when it is not one.
    static func embeddedKey(armored: String) -> [UInt8]? {
        let body = armored.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let data = Data(base64Encoded: body) else { return nil }
        let bytes = [UInt8](data)
        guard bytes.count > 14, Array(bytes[0..<6]) == Array("SSHSIG".utf8) else { return nil }
        let at = 10
        let length = bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) }
        guard at + 4 + length <= bytes.count else { return nil }
        return Array(bytes[(at + 4)..<(at + 4 + length)])
    }

    /// Whether the signature's own key is the one the event names.
    static func keyMatches(armored: String, publicKey: String) -> Bool {
        let parts = publicKey.split(separator: " ")
        guard parts.count >= 2, let blob = Data(base64Encoded: String(parts[1])), let embedded = embeddedKey(armored: armored) else { return false }
        return [UInt8](blob) == embedded
    }

    // MARK: ssh-keygen

    /// Whether `ssh-keygen` can be run.
    public static let available: Bool = (try? run(["-?"])) != nil

    /// Runs `ssh-keygen` with `arguments` and `input` on its standard input.
    static func run(_ arguments: [String], input: String = "") throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ssh-keygen"] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        (process.standardInput, process.standardOutput, process.standardError) = (stdin, stdout, stderr)
        do { try process.run() } catch { throw QuireError(.io, "cannot run ssh-keygen: \(error)") }
        let box = OutputBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { box.errors = stderr.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        if process.terminationReason == .exit && process.terminationStatus == 127 {
            throw QuireError(.io, "cannot run ssh-keygen: it is not installed (OpenSSH's openssh-client)")
        }
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: box.errors, as: UTF8.self))
    }

    private final class OutputBox: @unchecked Sendable { var errors = Data() }

    /// Runs `body` with the signature written to a temporary file (`ssh-keygen -Y` reads it from one).
    static func withSignatureFile<T>(_ armored: String, _ body: (String) throws -> T) throws -> T {
        let path = NSTemporaryDirectory() + "/quire-sig-\(getpid())-\(UUID().uuidString).sig"
        guard FileManager.default.createFile(atPath: path, contents: Data(armored.utf8)) else {
            throw QuireError(.io, "cannot write a temporary file in \(NSTemporaryDirectory())")
        }
        defer { unlink(path) }
        return try body(path)
    }

    /// Whether `armored` is a valid signature of `message` by the key inside it (no trust decided).
    static func isValid(_ armored: String, message: String) throws -> Bool {
        try withSignatureFile(armored) { try run(["-Y", "check-novalidate", "-n", namespace, "-s", $0], input: message).status == 0 }
    }

    /// Whether `principal` may sign with the signature's key by `allowedSigners` and the signature is valid.
    static func verify(_ armored: String, message: String, principal: String, allowedSigners: String) throws -> Bool {
        try withSignatureFile(armored) {
            try run(["-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", namespace, "-s", $0], input: message).status == 0
        }
    }

    /// The principals `allowedSigners` lists for the signature's key.
    static func principals(_ armored: String, allowedSigners: String) throws -> [String] {
        try withSignatureFile(armored) {
            let result = try run(["-Y", "find-principals", "-f", allowedSigners, "-n", namespace, "-s", $0])
            return result.status == 0 ? result.output.split(separator: "\n").map(String.init) : []
        }
    }
}

/// The operator's key for signing (`QUIRE_SIGNING_KEY`, or the `signing-key` setting): a private
/// key file, or a public key file whose private half `ssh-agent` holds (as git's `user.signingKey`).
public struct SigningKey: Sendable {
    public let path: String
    /// `type base64`, without the comment.
    public let publicKey: String
    /// Who signs: the name `allowed_signers` must list for the key (by default the agent, `user@host`).
    public let principal: String

    /// Reads the public half of the key at `path` (from the file itself, `PATH.pub`, or `ssh-keygen -y`).
    public init(path: String, principal: String = Identity.defaultAgent) throws {
        self.path = path
        self.principal = principal
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw QuireError(.badSetting, "the signing key \(path) (QUIRE_SIGNING_KEY) does not exist or cannot be read")
        }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        var line: String
        if text.hasPrefix("ssh-") || text.hasPrefix("ecdsa-") || text.hasPrefix("sk-") {
            line = text
        } else if let pub = try? String(contentsOfFile: path + ".pub", encoding: .utf8) {
            line = pub
        } else {
            let derived = try SSHSignature.run(["-y", "-f", path])
            guard derived.status == 0 else {
                throw QuireError(.badSetting, "the signing key \(path) is not an SSH key ssh-keygen can read: \(derived.errors.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
            line = derived.output
        }
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count >= 2, Data(base64Encoded: String(parts[1])) != nil else {
            throw QuireError(.badSetting, "the signing key \(path) has no readable public key")
        }
        publicKey = "\(parts[0]) \(parts[1])"
    }

    /// `ED25519 SHA256:…`.
    public var fingerprint: String { SSHSignature.fingerprint(publicKey: publicKey) ?? publicKey }

    /// Signs `message` with `ssh-keygen -Y sign`; returns the armored signature.
    func sign(_ message: String) throws -> String {
        let result = try SSHSignature.run(["-Y", "sign", "-q", "-f", path, "-n", SSHSignature.namespace], input: message)
        guard result.status == 0, result.output.contains("BEGIN SSH SIGNATURE") else {
            throw QuireError(.badSetting, "signing with \(path) failed: \(result.errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The `signature` field of an event with unsigned chain hash `hash`.
    func signatureField(origin: String, seq: Int, hash: String) throws -> JSON {
        ["key": .string(publicKey), "principal": .string(principal), "sig": .string(try sign(SSHSignature.message(origin: origin, seq: seq, hash: hash)))]
    }
}
