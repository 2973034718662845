/// The audit report as one self-contained HTML page: inline CSS, no scripts, no fonts or images
/// from elsewhere, so it can be mailed, archived or printed as it is.
extension AuditReport {
    public var html: String {
        var page = HTMLPage()
        page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        page.raw("<title>Quire audit report: \(HTMLPage.escape(stats.archiveID))</title>\n<style>\n\(Self.css)</style>\n</head>\n<body>\n")
        page.raw("<h1>Quire audit report</h1>\n<p class=\"meta\">Archive <code>\(HTMLPage.escape(stats.archiveID))</code>, generated \(HTMLPage.escape(generatedAt)).</p>\n")

        page.section("Contents")
        page.table(["documents", "versions", "blobs", "sightings", "batches", "events", "original bytes", "stored bytes"],
                   [[String(stats.documents), String(stats.versions), String(stats.blobs), String(stats.sightings), String(stats.batches),
                     String(stats.events), String(stats.originalBytes), String(stats.storedBytes)]], id: "totals")

        page.section("Batches over time")
        let widest = max(1, days.map(\.files).max() ?? 1)
        page.table(["day", "batches", "files", "new", "new versions", ""], days.map {
            [$0.day, String($0.batches), String($0.files), String($0.new), String($0.versions)]
        }, id: "days", markup: days.map { "<span class=\"bar\" style=\"width:\(max(1, $0.files * 300 / widest))px\"></span>" })

        page.section("Sources")
        page.table(["source", "batches", "files"], sources.map { [$0.name ?? "(none given)", String($0.batches), String($0.files)] }, id: "sources")

        page.section("Documents with the most versions")
        page.table(["document", "versions"], mostVersions.map { [$0.key, String($0.versions)] }, id: "most-versions")

        page.section("Forked documents")
        page.table(["document", "heads"], forked.map { [$0.key, String($0.heads)] }, id: "forked",
                   empty: "None: every document has one head.")

        page.section("Copies")
        page.table(["copy", "archive id", "events", "last event", "last sync", "last verify"], copies.map {
            [$0.info.isThis ? "this copy" : ($0.info.name ?? "-"), $0.info.archive, String($0.events), $0.lastEvent ?? "-", $0.lastSync ?? "never",
             $0.lastVerify.map { "\($0.at) (\($0.mode), \($0.result == "clean" ? "clean" : "\($0.problems) problems"))" } ?? "never"]
        }, id: "copies")

        page.section("Redactions")
        page.table(["action", "blob", "copy", "when", "by", "reason"], redactions.map { r in
            [r.action, r.blob, copies.first { $0.info.archive == r.archive }?.info.label ?? r.archive, r.at, r.agent, r.reason ?? ""]
        }, id: "redactions", empty: "None.")
        if !quarantined.isEmpty {
            page.raw("<p>Held in quarantine here (hidden, awaiting <code>quire purge</code> or <code>quire reinstate</code>): \(quarantined.count) blobs.</p>\n")
        }
        page.raw("<p class=\"meta\">Made by \(HTMLPage.escape(Identity.tool)). Every figure comes from the archive's event log; see docs/provenance.md.</p>\n</body>\n</html>\n")
        return page.text
    }

    static let css = """
        body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
        h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
        table { border-collapse: collapse; font-size: 0.9em; } th, td { padding: 0.2em 0.8em; text-align: left; border-bottom: 1px solid #eee; }
        code, td { font-variant-numeric: tabular-nums; } .meta { color: #666; font-size: 0.85em; }
        .bar { display: inline-block; height: 0.8em; background: #4a78c2; }

        """
}

/// Builds an HTML page with every text escaped.
struct HTMLPage {
    private(set) var text = ""

    mutating func raw(_ html: String) { text += html }

    mutating func section(_ title: String) { text += "<h2>\(Self.escape(title))</h2>\n" }

    /// A table of escaped text cells; `markup`, when given, adds one last cell per row of markup made here.
    mutating func table(_ headers: [String], _ rows: [[String]], id: String, empty: String = "None.", markup: [String]? = nil) {
        guard !rows.isEmpty else {
            text += "<p id=\"\(id)\">\(Self.escape(empty))</p>\n"
            return
        }
        text += "<table id=\"\(id)\">\n<tr>" + headers.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>\n"
        for (i, row) in rows.enumerated() {
            text += "<tr>" + row.map { "<td>\(Self.escape($0))</td>" }.joined() + (markup.map { "<td>\($0[i])</td>" } ?? "") + "</tr>\n"
        }
        text += "</table>\n"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
