import Foundation
import Testing
import TestSupport

/// `quire state --json`: the state document, checked against the archive's own tables.
@Suite("CLI state --json")
struct CLIStateJSONTests {
    @Test("state --json prints each origin's last event as the archive holds it, the same document as state and state -o")
    func stateJSON() throws {
        try requireTool("sqlite3", check: ["sqlite3", "--version"])
        let dir = TemporaryDirectory("state")
        let (a, b) = (dir.file("a.quire"), dir.file("b.quire"))
        #expect(try quire(["-A", a, "ingest", samples + "/day-1"]).status == 0)
        #expect(try quire(["-A", b, "ingest", samples + "/day-2"]).status == 0)
        #expect(try quire(["-A", b, "bundle", "create", dir.file("b.bundle"), "--all"]).status == 0)
        #expect(try quire(["-A", a, "bundle", "import", dir.file("b.bundle")]).status == 0)

        let r = try quire(["-A", a, "state", "--json"])
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        let state = try #require(try parseJSON(r) as? [String: Any])
        let id = try runProcess("sqlite3", [a, "SELECT value FROM archive WHERE key = 'archive_id'"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(state["archive"] as? String == id)
        #expect(state["format"] as? String == "quire-state-1")
        let origins = try #require(state["origins"] as? [String: [String: Any]])
        let rows = try runProcess("sqlite3", ["-separator", " ", a, """
            SELECT o.archive, e.seq, e.hash FROM origins o JOIN events e ON e.origin = o.id
            WHERE e.seq = (SELECT max(seq) FROM events x WHERE x.origin = o.id) ORDER BY o.archive
            """]).stdoutText.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.count == 2, "two origins: this copy and the one the bundle came from")
        #expect(Set(origins.keys) == Set(rows.map { $0[0] }))
        for row in rows {
            #expect(origins[row[0]]?["seq"] as? Int == Int(row[1]), "\(row)")
            #expect(origins[row[0]]?["hash"] as? String == row[2], "\(row)")
        }
        #expect(try quire(["-A", a, "state"]).stdout == r.stdout, "the same information as `quire state`")
        #expect(try quire(["-A", a, "state", "-o", dir.file("a.state")]).status == 0)
        #expect(FileManager.default.contents(atPath: dir.file("a.state")).map { [UInt8]($0) } == r.stdout)
    }
}
