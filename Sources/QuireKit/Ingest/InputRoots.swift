import Foundation

/// The one rule for what a path key is relative to (docs/keys.md), applied to an ingest's inputs
/// before anything is recorded.
///
/// - A folder given is a root: its files are keyed by their path inside it. So `ingest tech`
///   keys `tech/001.txt` as `001.txt`, from any working directory.
/// - The files given by name (on the command line, from a shell glob, or as a list on stdin)
///   share one root: the deepest folder that holds all of them. So `ingest tech/0*.txt` keys
///   `tech/001.txt` as `001.txt` too, like the folder; `ingest samples/*/*.txt` keys it
///   `tech/001.txt`, like `ingest samples`; and two distinct files named together never share
///   a key (`a/x.txt` and `b/x.txt` stay apart).
/// - Two folders given together are two captures of the same tree: `day-1/a.txt` and
///   `day-2/a.txt` are one document seen twice, and each sighting records which folder it was
///   read from (its root, an absolute path).
///
/// Before this rule (archives made before schema 13), a file given by name was keyed by its path
/// as typed; when a document with that older key exists and none with the new one, the older key
/// is kept, so such archives go on gaining versions rather than new documents.
enum InputRoots {
    /// One input with the root its files are keyed against.
    struct Input {
        /// The path to open, as given.
        let path: [UInt8]
        /// The absolute, lexically normalized folder the keys are relative to.
        let root: [UInt8]
        /// A file input's path relative to `root`; empty for a folder input.
        let relative: [UInt8]
        /// A file input's key under the older rule (its path as typed, normalized), when it differs.
        let legacy: [UInt8]?
    }

    /// The inputs with their roots; every input must exist (a mistyped path records nothing).
    static func plan(_ inputs: [[UInt8]], workingDirectory: [UInt8]? = nil) throws -> [Input] {
        guard !inputs.isEmpty else { throw QuireError(.badArgument, "no files or folders to ingest (nothing was recorded)") }
        let cwd = workingDirectory ?? Array(FileManager.default.currentDirectoryPath.utf8)
        var missing: [String] = []
        var kinds: [Bool] = []  // true: a folder
        for input in inputs {
            switch FileSystem.status(trimmed(input), follow: true) {
            case .failure(let error):
                // A dangling symbolic link still exists: its sighting records why it cannot be read.
                if case .success = FileSystem.status(trimmed(input), follow: false) { kinds.append(false); continue }
                missing.append("\(PathText.display(input).text): \(error.message)")
            case .success(let status):
                if case .directory = status.kind { kinds.append(true) } else { kinds.append(false) }
            }
        }
        if !missing.isEmpty {
            let list = missing.joined(separator: "; ")
            throw QuireError(.notFound, missing.count == 1 ? "cannot ingest \(list) (nothing was recorded)"
                                                            : "cannot ingest \(missing.count) inputs: \(list) (nothing was recorded)")
        }
        let absolutes = inputs.map { absolute(trimmed($0), cwd: cwd) }
        let fileParents = zip(absolutes, kinds).filter { !$0.1 }.map { parent(of: $0.0) }
        let fileRoot = fileParents.dropFirst().reduce(fileParents.first ?? []) { commonFolder($0, $1) }
        return inputs.indices.map { i in
            if kinds[i] { return Input(path: trimmed(inputs[i]), root: absolutes[i], relative: [], legacy: nil) }
            let relative = relativePath(absolutes[i], to: fileRoot)
            let old = PathText.normalize(trimmed(inputs[i]))
            return Input(path: trimmed(inputs[i]), root: fileRoot, relative: relative, legacy: old == relative ? nil : old)
        }
    }

    /// The path without trailing slashes (but `/` stays).
    static func trimmed(_ path: [UInt8]) -> [UInt8] {
        var path = path
        while path.count > 1 && path.last == UInt8(ascii: "/") { path.removeLast() }
        return path
    }

    /// `path` made absolute against `cwd` and lexically normalized.
    static func absolute(_ path: [UInt8], cwd: [UInt8]) -> [UInt8] {
        if path.first == UInt8(ascii: "/") { return PathText.normalize(path) }
        return PathText.normalize(cwd + [UInt8(ascii: "/")] + path)
    }

    /// The folder holding an absolute normalized path (`/` for a name at the top).
    static func parent(of path: [UInt8]) -> [UInt8] {
        guard let slash = path.lastIndex(of: UInt8(ascii: "/")), slash > 0 else { return [UInt8(ascii: "/")] }
        return Array(path[..<slash])
    }

    /// The deepest folder holding both absolute normalized folders.
    static func commonFolder(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        let pa = a.split(separator: UInt8(ascii: "/")), pb = b.split(separator: UInt8(ascii: "/"))
        var common: [ArraySlice<UInt8>] = []
        for (x, y) in zip(pa, pb) {
            guard x.elementsEqual(y) else { break }
            common.append(x)
        }
        return [UInt8(ascii: "/")] + Array(common.joined(separator: [UInt8(ascii: "/")]))
    }

    /// An absolute normalized path relative to a folder that holds it.
    static func relativePath(_ path: [UInt8], to root: [UInt8]) -> [UInt8] {
        let prefix = root == [UInt8(ascii: "/")] ? root : root + [UInt8(ascii: "/")]
        guard path.starts(with: prefix) else { return path }
        return Array(path[prefix.count...])
    }
}
