import Foundation

/// A bounded hand-over between the thread that prepares ingest chunks and the thread that commits
/// them. `put` waits while the queue is full, which bounds the memory in flight; `cancel` wakes
/// both sides so either can stop the other.
final class ChunkQueue<Element>: @unchecked Sendable {
    enum Item {
        case element(Element)
        case failure(any Error)
        case end
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private let capacity: Int
    private(set) var isCancelled = false
    private var committedThrough = -1

    init(capacity: Int) { self.capacity = capacity }

    /// Adds an item, waiting while the queue is full. Returns false when the queue was cancelled.
    @discardableResult
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !isCancelled { condition.wait() }
        if isCancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Takes the next item, waiting until there is one.
    func take() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !isCancelled { condition.wait() }
        if items.isEmpty { return .end }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// Whether an item is waiting to be taken (`take` would not wait).
    var hasItem: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !items.isEmpty
    }

    /// Stops both sides; items still queued are returned so their resources can be released.
    func cancel() -> [Element] {
        condition.lock()
        defer { condition.unlock() }
        isCancelled = true
        let left = items.compactMap { if case .element(let e) = $0 { return e } else { return nil } }
        items.removeAll()
        condition.broadcast()
        return left
    }

    /// Records that the chunk numbered `index` (and all before it) is committed to the archive.
    func markCommitted(_ index: Int) {
        condition.lock()
        committedThrough = max(committedThrough, index)
        condition.unlock()
    }

    /// The number of the last chunk known to be committed.
    var committed: Int {
        condition.lock()
        defer { condition.unlock() }
        return committedThrough
    }
}
