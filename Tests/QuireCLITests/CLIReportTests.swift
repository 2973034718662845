import Foundation
import Testing
import TestSupport

@Suite("CLI report")
struct CLIReportTests {
    /// Both sample days, a failed file (mode 000, read by nobody), a verify run and a redaction.
    func auditedArchive() throws -> (TemporaryDirectory, String) {
        let dir = TemporaryDirectory("cli-report")
        let a = dir.file("a.quire")
        #expect(try quire(["-A", a, "ingest", "-q", "--source", "samples", samples + "/day-1", samples + "/day-2"]).status == 0)
        try dir.write("in/ok.txt", "fine\n")
        try dir.write("in/locked.txt", "locked\n")
        chmod(dir.file("in/locked.txt"), 0)
        var command = [quireBinary, "-A", a, "ingest", "-q", "--batch", "with-failure", dir.file("in")]
        if geteuid() == 0 {
            chmod(dir.path, 0o777)
            chmod(dir.file("in"), 0o777)
            chmod(a, 0o666)
            for suffix in ["-wal", "-shm"] { chmod(a + suffix, 0o666) }
            command = ["runuser", "-u", "nobody", "--"] + command
        }
        let failing = try runProcess(command[0], Array(command.dropFirst()))
        #expect(failing.status == 1, "\(failing.stderr)")
        #expect(try quire(["-A", a, "verify", "-q"]).status == 0)
        return (dir, a)
    }

    @Test("the HTML report pins what was audited: digest, last full verify, every batch with id, agent, host, tool, folders and counts, failed files, human sizes, drill-down, an explanation instead of links; the same archive gives the same page but for its time")
    func pinsWhatWasAudited() throws {
        let (dir, a) = try auditedArchive()
        let html = dir.file("report.html")
        #expect(try quire(["-A", a, "report", "--html", html]).status == 0)
        let page = String(decoding: try readFile(html), as: UTF8.self)
        let digest = try quire(["-A", a, "digest"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(page.contains("<code id=\"digest\">\(digest.split(separator: " ").last ?? "")</code>"), "\(digest)")
        #expect(page.contains("Last full verification of this copy:") && page.contains("<strong>clean</strong>"))
        let batches = try #require(try parseJSON(try quire(["-A", a, "batches", "--json"])) as? [[String: Any]])
        #expect(batches.count == 2)
        for batch in batches {
            for field in ["id", "label", "agent", "host", "tool"] {
                #expect(page.contains(try #require(batch[field] as? String)), "\(field)")
            }
            for input in batch["inputs"] as? [String] ?? [] { #expect(page.contains(input)) }
        }
        #expect(page.contains("locked.txt") && page.contains("Permission denied"))
        #expect(page.contains(" KiB</td>"))
        #expect(page.contains("<details><summary>"))
        #expect(page.contains("No event is signed"))
        #expect(!page.contains("docs/") && !page.contains("href=") && !page.contains("<script") && !page.contains("src="))
        #expect(page.contains("id=\"explanation\""))
        // Deterministic apart from the generation time.
        let again = dir.file("again.html")
        #expect(try quire(["-A", a, "report", "--html", again]).status == 0)
        let strip = { (text: String) in text.replacingOccurrences(of: #"generated [0-9T:.\-]+Z"#, with: "generated -", options: .regularExpression) }
        #expect(strip(String(decoding: try readFile(again), as: UTF8.self)) == strip(page))
        let json = try #require(try parseJSON(try quire(["-A", a, "report", "--json"])) as? [String: Any])
        #expect(json["digest"] as? String == digest.split(separator: " ").last.map(String.init))
        #expect((json["failures"] as? [[String: Any]])?.count == 1 && json["failure_count"] as? Int == 1)
    }

    @Test("headless Chromium renders the report to PNG and PDF without errors")
    func rendersInChromium() throws {
        try requireTool("chromium", check: ["chromium", "--version"])
        let (dir, a) = try auditedArchive()
        let html = dir.file("report.html")
        #expect(try quire(["-A", a, "report", "--html", html]).status == 0)
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=" + dir.file("profile")]
        let png = dir.file("report.png"), pdf = dir.file("report.pdf")
        let shot = try runProcess("chromium", flags + ["--window-size=1280,2400", "--screenshot=" + png, "file://" + html])
        #expect(shot.status == 0, "\(shot.stderr)")
        #expect(Array(try readFile(png).prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let print = try runProcess("chromium", flags + ["--print-to-pdf=" + pdf, "--no-pdf-header-footer", "file://" + html])
        #expect(print.status == 0, "\(print.stderr)")
        #expect(Array(try readFile(pdf).prefix(5)) == Array("%PDF-".utf8))
        #expect(try readFile(pdf).count > 10_000)
    }
}
