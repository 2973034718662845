import SQLite

extension Archive {
    /// Rewrites the archive file without its free pages, so the space deleted bytes took is
    /// returned to the file system (`VACUUM`). A file made with another page size (16 KiB
    /// before 8 KiB was chosen) gets the current one, when no other process has it open: the
    /// size changes only outside write-ahead logging, so the rewrite then runs with a rollback
    /// journal (kill-safe as well) and the file goes back to WAL after it.
    public func compact() throws {
        do {
            // Leaving WAL fails at once ("database is locked") while another connection is open.
            let resize = try db.int("PRAGMA page_size") != Self.pageSize && (try? db.text("PRAGMA journal_mode = DELETE")) == "delete"
            do {
                if resize { try db.execute("PRAGMA page_size = \(Self.pageSize)") }
                try db.execute("VACUUM")
            } catch {
                if resize { _ = try? db.enableWriteAheadLog() }
                throw error
            }
            if resize, try db.enableWriteAheadLog() != "wal" {
                throw QuireError(.database, "\(path) was compacted but could not go back to write-ahead logging")
            }
        } catch let error as DatabaseError {
            throw QuireError(.database, "compacting \(path) failed", underlying: error)
        }
    }
}
