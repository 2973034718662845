/// Walks the inputs of an ingest in a deterministic order: the inputs in the order given; inside
/// a directory, entries sorted by the bytes of their names, depth first. Hidden names (starting
/// with `.`) are skipped unless asked for; symbolic links inside directories are reported and not
/// followed unless asked for (an input named on the command line is always followed).
struct Walker: Sequence, IteratorProtocol {
    /// One thing the walk found.
    struct Item {
        enum Kind {
            /// A regular file to read.
            case file(FileSystem.Status)
            /// Something left out on purpose (a symbolic link), with why.
            case skipped(String)
            /// Something that cannot be read, with why.
            case failed(String)
        }
        /// The path to open.
        let path: [UInt8]
        /// The path relative to the input's root (`InputRoots`): inside a folder given, or inside
        /// the folder holding all the files given by name.
        let relative: [UInt8]
        let kind: Kind
        /// The absolute folder `relative` is relative to.
        var root: [UInt8] = []
        /// A file input's key under the rule before schema 13, when it differs (`InputRoots`).
        var legacy: [UInt8]? = nil
    }

    private struct Directory {
        let root: [UInt8]
        let path: [UInt8]
        let relative: [UInt8]
        let names: [[UInt8]]
        var next = 0
    }

    private var inputs: [InputRoots.Input]
    private var currentRoot: [UInt8] = []
    private var nextInput = 0
    private var stack: [Directory] = []
    private var visited: Set<[UInt64]> = []
    let includeHidden: Bool
    let followSymlinks: Bool

    init(inputs: [InputRoots.Input], includeHidden: Bool, followSymlinks: Bool) {
        self.inputs = inputs
        self.includeHidden = includeHidden
        self.followSymlinks = followSymlinks
    }

    mutating func next() -> Item? {
        while true {
            if stack.isEmpty {
                guard nextInput < inputs.count else { return nil }
                let input = inputs[nextInput]
                nextInput += 1
                if let item = startInput(input) { return item }
                continue
            }
            let top = stack.count - 1
            guard stack[top].next < stack[top].names.count else {
                stack.removeLast()
                continue
            }
            let name = stack[top].names[stack[top].next]
            stack[top].next += 1
            if !includeHidden && name.first == UInt8(ascii: ".") { continue }
            let path = stack[top].path + [UInt8(ascii: "/")] + name
            let relative = stack[top].relative.isEmpty ? name : stack[top].relative + [UInt8(ascii: "/")] + name
            currentRoot = stack[top].root
            switch FileSystem.status(path, follow: followSymlinks) {
            case .failure(let error):
                return Item(path: path, relative: relative, kind: .failed(error.message), root: currentRoot)
            case .success(let status):
                if let item = visit(path: path, relative: relative, status: status) { return item }
            }
        }
    }

    /// Starts one input: a file is returned at once, a directory is pushed.
    private mutating func startInput(_ input: InputRoots.Input) -> Item? {
        let path = input.path
        currentRoot = input.root
        switch FileSystem.status(path, follow: true) {
        case .failure(let error):
            var item = Item(path: path, relative: input.relative.isEmpty ? PathText.normalize(path) : input.relative,
                            kind: .failed(error.message), root: input.root)
            item.legacy = input.legacy
            return item
        case .success(let status):
            if case .directory = status.kind {
                return visit(path: path, relative: [], status: status)
            }
            var item = visit(path: path, relative: input.relative, status: status)
            item?.legacy = input.legacy
            return item
        }
    }

    private mutating func visit(path: [UInt8], relative: [UInt8], status: FileSystem.Status) -> Item? {
        switch status.kind {
        case .regular:
            return Item(path: path, relative: relative, kind: .file(status), root: currentRoot)
        case .symlink:
            return Item(path: path, relative: relative, kind: .skipped("symbolic link, not followed (use --follow-symlinks)"), root: currentRoot)
        case .other(let what):
            return Item(path: path, relative: relative, kind: .failed("not a regular file (\(what))"), root: currentRoot)
        case .directory:
            if followSymlinks {
                let id = [status.device, status.inode]
                if visited.contains(id) {
                    return Item(path: path, relative: relative, kind: .skipped("directory already walked (a symbolic link loop)"), root: currentRoot)
                }
                visited.insert(id)
            }
            switch FileSystem.list(path) {
            case .failure(let error):
                return Item(path: path, relative: relative.isEmpty ? PathText.normalize(path) : relative,
                            kind: .failed("cannot read directory: \(error.message)"), root: currentRoot)
            case .success(let names):
                stack.append(Directory(root: currentRoot, path: path, relative: relative, names: names))
                return nil
            }
        }
    }
}
