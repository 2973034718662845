#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A bundle received from the other copy, staged in a scratch file without a name (a kill
/// leaves nothing) so its trailing hash is checked before anything in it is trusted.
struct ReceivedBundle {
    let scratch: SpillFile
    var path: String { scratch.path }
}

/// The other copy in an exchange, reached directly (an archive file opened here) or through
/// `quire serve --stdio` at the other end of a pipe (ssh, docs/sync-protocol.md). What it holds
/// (`state`) is known from the start; bundles go both ways through it. A class because it owns
/// an open archive or a process.
final class RemotePeer {
    /// What messages call it: the URL.
    let display: String
    let archiveID: String
    /// What it holds, as last heard.
    private(set) var state: ArchiveState
    /// Whether it takes no bundles (`quire serve --read-only`, or an archive file opened to read).
    let readOnly: Bool
    private let link: Link

    private enum Link {
        case file(Archive)
        case stream(SyncChannel, SSHProcess)
    }

    /// Opens the archive file at `path` for an exchange with `me` (to read only with `readOnly`).
    init(archiveFile path: String, display: String, me: Archive, readOnly: Bool, lockTimeout: Double) throws {
        let other: Archive
        do {
            other = try Archive.open(at: path, readOnly: readOnly, lockTimeout: lockTimeout)
        } catch let error as QuireError where error.code == .archiveMissing {
            throw QuireError(.notFound, "there is no archive at \(path) (\(display)): clone this one there with `quire clone \(me.path) \(path)`, or fix the remote's URL; nothing was changed")
        }
        other.largestIncomingBlob = me.largestIncomingBlob
        other.importProgress = me.importProgress
        if other.id == me.id {
            if resolvedPath(other.path) == resolvedPath(me.path) { throw QuireError(.refused, "\(display) is this same archive file") }
            throw QuireError(.refused, "\(display) has this archive's id (\(me.id)): it is a copy of this archive made by copying the file (cp), so the two cannot tell their events apart. Give one of them its own id, keeping its history: `quire -A \(path) reid --other \(me.path)`, then try again")
        }
        self.display = display
        archiveID = other.id
        state = try other.state()
        self.readOnly = readOnly
        link = .file(other)
    }

    /// Starts `quire serve --stdio` on an ssh host and reads its hello.
    init(ssh address: SSHAddress, display: String, remoteQuire: String?, me: Archive) throws {
        let process = try SSHProcess(address: address, remoteQuire: remoteQuire)
        let channel = SyncChannel(input: process.output, output: process.input, peer: "the remote \(display)")
        channel.onClosed = { [unowned process] in process.failure(during: "before it was complete") }
        try channel.writeGreeting()
        try channel.send(.hello, ["protocol": .int(Int64(SyncProtocol.version)), "archive": .string(me.id), "tool": .string(Identity.tool)])
        try channel.readGreeting()
        let hello = try channel.receiveJSON([.hello], what: "its hello").json
        guard let id = hello["archive"]?.stringValue, let stateJSON = hello["state"] else {
            throw QuireError(.corrupt, "the remote \(display) sent a hello without an archive id and state")
        }
        if id == me.id {
            throw QuireError(.refused, "the remote \(display) has this archive's id (\(me.id)): one of the two is a copy made with cp (run `quire reid` in one of them)")
        }
        self.display = display
        archiveID = id
        state = try ArchiveState(json: stateJSON)
        readOnly = hello["read_only"] == .bool(true)
        link = .stream(channel, process)
    }

    /// Wire bytes so far (in, out); nil for an archive file.
    var wireBytes: (received: Int, sent: Int)? {
        if case .stream(let channel, _) = link { return (channel.bytesIn, channel.bytesOut) }
        return nil
    }

    /// A bundle of what a holder of `base` lacks, staged in `directory`; nil when there is nothing.
    func fetch(base: ArchiveState, into directory: String, for me: Archive) throws -> ReceivedBundle? {
        guard Archive.hasMore(state, than: base) else { return nil }
        let scratch = try SpillFile(in: directory)
        switch link {
        case .file(let other):
            let summary = try other.writeBundle(base: base) { try scratch.append($0) }
            if summary.header.events == 0 { return nil }
            if !readOnly { try other.noteSent(summary, to: me.id, file: me.path) }
        case .stream(let channel, _):
            try channel.send(.request, ["op": "send", "state": base.json])
            let first = try channel.receive()
            switch first.type {
            case .nothing: return nil
            case .error: throw channel.remoteError(first.payload)
            case .data: try first.payload.withUnsafeBytes { try scratch.append($0) }
            case .end: break
            default: throw QuireError(.corrupt, "\(channel.peer) answered a request for a bundle with a frame of another kind")
            }
            if first.type == .data { _ = try channel.receiveData { try scratch.append($0) } }
        }
        return ReceivedBundle(scratch: scratch)
    }

    /// Sends a bundle `write` produces (given where its bytes go) and has the other copy import
    /// it; returns the bundle's summary and how many events the other copy added.
    func deliver(from me: Archive, _ write: (_ output: (UnsafeRawBufferPointer) throws -> Void) throws -> BundleSummary) throws -> (summary: BundleSummary, eventsAdded: Int, blobsAdded: Int) {
        try refuseIfReadOnly()
        switch link {
        case .file(let other):
            let directory = (other.path as NSString).deletingLastPathComponent
            let scratch = try SpillFile(in: directory.isEmpty ? "." : directory)
            let summary = try write { try scratch.append($0) }
            let report = try other.importBundle(at: scratch.path, name: "the bundle from \(me.path)", from: me.path)
            state = try other.state()
            return (summary, report.eventsAdded, report.blobsAdded)
        case .stream(let channel, _):
            try channel.send(.request, ["op": "receive"])
            _ = try channel.receiveJSON([.reply], what: "its answer to a push")
            let frames = channel.dataWriter()
            var sent = 0
            let summary = try write { buffer in
                try frames.write(buffer)
                sent += buffer.count
                me.sendProgress?(sent, false)
            }
            try frames.flush()
            me.sendProgress?(sent, true)
            try channel.send(.end, summary.json)
            let reply = try channel.receiveJSON([.reply], what: "the result of its import").json
            if let stateJSON = reply["state"] { state = try ArchiveState(json: stateJSON) }
            return (summary, reply["report"]?["events_added"]?.intValue ?? 0, reply["report"]?["blobs_added"]?.intValue ?? 0)
        }
    }

    /// Refuses, before anything is sent, a push to a copy that takes no bundles.
    func refuseIfReadOnly() throws {
        guard !readOnly else {
            throw QuireError(.refused, "\(display) takes no bundles: it is served read-only (quire serve --read-only); pull from it instead. Nothing was changed")
        }
    }

    /// What the other copy would send a holder of `base`.
    func pending(for base: ArchiveState) throws -> Pending {
        switch link {
        case .file(let other): return try other.pending(for: base)
        case .stream(let channel, _):
            try channel.send(.request, ["op": "count", "state": base.json])
            return Pending(json: try channel.receiveJSON([.reply], what: "its count").json)
        }
    }

    /// The other copy's full and content digests.
    func digests() throws -> (full: String, content: String) {
        switch link {
        case .file(let other): return (try other.digest(), try other.contentDigest())
        case .stream(let channel, _):
            try channel.send(.request, ["op": "digest"])
            let reply = try channel.receiveJSON([.reply], what: "its digests").json
            return (reply["digest"]?.stringValue ?? "", reply["content_digest"]?.stringValue ?? "")
        }
    }

    /// Ends the session (says goodbye, waits for ssh).
    func close() {
        if case .stream(let channel, let process) = link {
            if (try? channel.send(.request, ["op": "bye"])) != nil { _ = try? channel.receive() }
            process.finish()
        }
    }
}

/// The resolved path of `path`, or the path itself when it cannot be resolved.
func resolvedPath(_ path: String) -> String {
    guard let resolved = Glibc.realpath(path, nil) else { return path }
    defer { free(resolved) }
    return String(cString: resolved)
}
