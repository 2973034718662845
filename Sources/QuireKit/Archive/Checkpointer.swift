import Foundation
import SQLite

/// Copies the write-ahead log into the archive file on a background thread while a long write
/// (an ingest, an import) goes on, so the writing thread never stops to do it. Uses its own
/// connection and SQLite's PASSIVE checkpoint, which never blocks the writer.
final class Checkpointer: @unchecked Sendable {
    private let path: String
    private let condition = NSCondition()
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    init(path: String) { self.path = path }

    /// Starts checkpointing every `interval` seconds until `stop()`.
    func start(interval: Double = 0.25) {
        let thread = Thread { [self] in
            run(interval: interval)
            done.signal()   // after `run` has returned, so its connection is closed when `stop()` returns
        }
        thread.start()
    }

    /// The thread's loop, on a connection of its own that is closed when it returns. `stop()`
    /// returns only after that: a caller that then changes the file's journal mode (the tests,
    /// `compact`) must not find the file still open here.
    private func run(interval: Double) {
        guard let db = try? Database(path: path, mode: .readWrite) else { return }
        condition.lock()
        while !stopped {
            condition.unlock()
            _ = try? db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            condition.lock()
            if !stopped { _ = condition.wait(until: Date(timeIntervalSinceNow: interval)) }
        }
        condition.unlock()
    }

    /// Stops the thread and waits for it.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        done.wait()
    }
}
