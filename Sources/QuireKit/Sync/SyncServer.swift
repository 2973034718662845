#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// `quire serve --stdio PATH`: the far end of an ssh remote. It speaks the sync protocol
/// (docs/sync-protocol.md) on standard input and output until the client says goodbye or goes
/// away: it sends its state, writes bundles of what the client lacks, and imports the bundles the
/// client sends (each staged in a scratch file without a name, then imported in one
/// transaction with every check of `bundle import`). With `readOnly` it opens the archive only to
/// read, writes nothing at all, and refuses bundles: for a forced command in `authorized_keys`.
public enum SyncServer {
    /// Serves the archive at `path`. Returns when the session ends; an error is also sent to the
    /// client as an `X` frame before it is thrown.
    public static func serve(archiveAt path: String, readOnly: Bool, lockTimeout: Double = Archive.defaultLockTimeout,
                             largestIncomingBlob: Int = Archive.defaultLargestIncomingBlob,
                             input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) throws {
        signal(SIGPIPE, SIG_IGN)
        let channel = SyncChannel(input: input, output: output, peer: "the client")
        try channel.writeGreeting()
        let archive: Archive
        do {
            archive = try Archive.open(at: path, readOnly: readOnly, lockTimeout: lockTimeout)
            archive.largestIncomingBlob = largestIncomingBlob
            try archive.applySettings()
            try channel.send(.hello, ["protocol": .int(Int64(SyncProtocol.version)), "archive": .string(archive.id),
                                      "state": try archive.state().json, "read_only": .bool(readOnly), "tool": .string(Identity.tool)])
        } catch let error as QuireError {
            channel.sendError(QuireError(error.code, error.code == .archiveMissing ? "there is no archive at \(path) on this host; nothing was changed" : error.description))
            throw error
        }
        do {
            try channel.readGreeting()
            let hello = try channel.receiveJSON([.hello], what: "the client's hello").json
            try session(archive, channel, client: hello["archive"]?.stringValue, readOnly: readOnly)
        } catch let error as QuireError {
            channel.sendError(error)
            throw error
        }
    }

    private static func session(_ archive: Archive, _ channel: SyncChannel, client: String?, readOnly: Bool) throws {
        let directory = (archive.path as NSString).deletingLastPathComponent
        while true {
            let request = try channel.receiveJSON([.request], what: "a request").json
            switch request["op"]?.stringValue {
            case "send":
                let base = try ArchiveState(json: request["state"] ?? .null)
                let state = try archive.state()
                guard Archive.hasMore(state, than: base) else {
                    try channel.send(.nothing, ["state": state.json])
                    continue
                }
                let frames = channel.dataWriter()
                let summary = try archive.writeBundle(base: base, output: frames.write)
                try frames.flush()
                try channel.send(.end, summary.json)
                if !readOnly, let client, client != archive.id { try archive.noteSent(summary, to: client, file: "quire serve --stdio") }
            case "receive":
                guard !readOnly else {
                    throw QuireError(.refused, "this archive is served read-only (quire serve --read-only): it serves pulls and takes no pushes; nothing was changed")
                }
                try channel.send(.reply, ["ready": true])
                let scratch = try SpillFile(in: directory.isEmpty ? "." : directory)
                _ = try channel.receiveData { try scratch.append($0) }
                let report = try archive.importBundle(at: scratch.path, name: "the bundle from \(client ?? "the client")",
                                                      from: "quire serve --stdio (from \(client ?? "a client"))")
                try channel.send(.reply, ["report": report.json, "state": try archive.state().json])
            case "count":
                try channel.send(.reply, try archive.pending(for: try ArchiveState(json: request["state"] ?? .null)).json)
            case "digest":
                try channel.send(.reply, ["digest": .string(try archive.digest()), "content_digest": .string(try archive.contentDigest())])
            case "bye":
                try channel.send(.reply, [:])
                return
            case let other:
                throw QuireError(.corrupt, "the client asked for '\(other ?? "nothing")', which this quire does not serve")
            }
        }
    }
}
