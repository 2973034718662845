/// The audit report as one self-contained HTML page: inline CSS, no scripts, no fonts or images
/// from elsewhere, so it can be mailed, archived or printed as it is.
extension AuditReport {
    public var html: String {
        var page = HTMLPage()
        page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        page.raw("<title>Quire audit report: \(HTMLPage.escape(stats.archiveID))</title>\n<style>\n\(Self.css)</style>\n</head>\n<body>\n")
        page.raw("<h1>Quire audit report</h1>\n<p class=\"meta\">Archive <code>\(HTMLPage.escape(stats.archiveID))</code>, generated \(HTMLPage.escape(generatedAt)).</p>\n")

        page.section("What was audited")
        page.raw("<p>Archive digest (<code>quire digest</code>): <code id=\"digest\">\(HTMLPage.escape(digest))</code></p>\n")
        if let v = lastFullVerify {
            page.raw("<p id=\"last-verify\">Last full verification of this copy: \(HTMLPage.escape(v.at)) by \(HTMLPage.escape(v.agent)) on \(HTMLPage.escape(v.host)): "
                     + "<strong>\(v.result == "clean" ? "clean" : "\(v.problems) problems")</strong>, \(HTMLPage.escape(Self.size(v.bytes))) of content hashed.</p>\n")
        } else {
            page.raw("<p id=\"last-verify\">This copy has never been fully verified (<code>quire verify</code>).</p>\n")
        }
        page.table(["signer", "signed events"], signers.map { [$0.signer, String($0.events)] }, id: "signers",
                   empty: "No event is signed: nothing ties these records to a person's key.")

        page.section("Contents")
        page.table(["documents", "versions", "blobs", "sightings", "batches", "events", "original size", "stored size"],
                   [[String(stats.documents), String(stats.versions), String(stats.blobs), String(stats.sightings), String(stats.batches),
                     String(stats.events), Self.size(stats.originalBytes), Self.size(stats.storedBytes)]], id: "totals")

        page.section("Batches")
        page.table(["label", "id", "agent", "host", "tool", "source", "folders", "started", "finished", "files", "new", "new versions",
                    "duplicates", "unchanged", "failed", "size", "signed by"], batches.map { b in
            [b.info.label, b.info.id, b.info.agent, b.info.host, b.info.tool, b.info.source ?? "", b.info.inputs.joined(separator: "\n"),
             b.info.startedAt, b.info.finishedAt ?? "interrupted", String(b.files), String(b.new), String(b.versions), String(b.duplicates),
             String(b.unchanged), String(b.failed), Self.size(b.bytes), b.signedBy ?? "unsigned"]
        }, id: "batches")

        page.section("Files that could not be read")
        page.table(["batch", "path", "error"], failures.map { [$0.batch, $0.path, $0.error] }, id: "failures", empty: "None.")
        if failureCount > failures.count {
            page.raw("<p>and \(failureCount - failures.count) more (<code>quire sightings --meaning failed</code> lists them all).</p>\n")
        }

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

        page.section("Document trails")
        page.raw("<div id=\"trails\">\n")
        if trails.isEmpty { page.raw("<p>No document has more than one version.</p>\n") }
        for trail in trails {
            let copy = { (id: String) in trail.provenance.copies.first { $0.archive == id }?.label ?? String(id.prefix(8)) }
            page.raw("<details><summary>\(HTMLPage.escape(trail.key)) (\(trail.provenance.versions.count) versions)</summary>\n")
            page.table(["#", "version", "created", "parents", "blob", "size", "custody", "recorded by", "signed by", "route"], trail.provenance.versions.map { v in
                [String(v.version.number), v.version.hash, v.version.createdAt, v.version.parents.map { String($0.prefix(12)) }.joined(separator: " "),
                 v.version.blob, Self.size(v.version.size), v.custody,
                 v.recorded.map { "\(copy($0.archive)) (event \($0.seq), \($0.at))" } ?? "-", v.recorded?.signedBy ?? "unsigned",
                 v.recorded.map { $0.route.map { "\(copy($0.from)) → \(copy($0.into)) \($0.at) by \($0.agent)" }.joined(separator: "; ") } ?? ""]
            }, id: "trail-versions", empty: "No versions.")
            page.table(["version", "batch", "path", "meaning", "size", "modified", "agent"], trail.provenance.versions.flatMap { v in
                v.sightings.map { [String(v.version.number), "\($0.batch.label) [\($0.batch.id.prefix(8))]", $0.path, $0.meaning,
                                   $0.size.map(Self.size) ?? "-", $0.mtime ?? "-", $0.batch.agent] }
            }, id: "trail-sightings", empty: "No sightings.")
            page.raw("</details>\n")
        }
        page.raw("</div>\n")

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
        page.section("How to read and check this report")
        page.raw(Self.explanation)
        page.raw("<p class=\"meta\">Made by \(HTMLPage.escape(Identity.tool)) from the archive's event log.</p>\n</body>\n</html>\n")
        return page.text
    }

    /// A size for a person: bytes, KiB, MiB or GiB with one decimal.
    static func size(_ n: Int) -> String {
        if n < 1024 { return "\(n) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(n) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return String(format: "%.1f %@", value, units[unit])
    }

    /// What the report's words mean and how a reader checks it, for a reader with only this page.
    static let explanation = """
        <div id="explanation">
        <p>Quire keeps news article files in one SQLite file, an <em>archive</em>. Each captured file's exact bytes are a
        <em>blob</em>, named by their SHA-256 (<code>sha256sum</code> of the file gives the same 64 digits). One article is a
        <em>document</em>, keyed by its canonical URL or its path; each state of it is a <em>version</em> (a blob plus the versions
        it follows). Each run of <code>quire ingest</code> is a <em>batch</em>: who ran it (agent), on which machine (host), with
        which tool, on which folders, and when. Every file a batch saw is a <em>sighting</em>: new, a new version, a duplicate of
        bytes already held, unchanged, or failed (could not be read).</p>
        <p>Every change is an <em>event</em>, numbered within the copy of the archive that made it and hash-chained: each event's
        hash covers its content and the previous event's hash, so no event can be altered, removed or reordered without breaking
        the chain. Copies exchange events in bundles; each import is itself an event, which gives the route a record took
        between copies. Every table this report shows is rebuilt from the events by <code>quire verify</code>, which also
        decompresses and hashes every blob, and fails on any difference.</p>
        <p>The <em>digest</em> above is a SHA-256 over the archive's events and blobs: a reader holding a copy of the archive runs
        <code>quire digest</code> and <code>quire verify</code> on it; the same digest means the same content and history as
        audited here. A <em>signed</em> event carries an SSH signature (OpenSSH <code>ssh-keygen -Y sign</code>, namespace
        <code>quire</code>) over its copy's chain tip, which covers that event and every earlier one of its copy; a reader checks
        the signers against the keys they trust with <code>quire verify --allowed-signers FILE</code> (OpenSSH's allowed_signers
        format). Sizes are in binary units (1 KiB = 1024 bytes). Times are UTC.</p>
        </div>

        """

    static let css = """
        body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
        h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
        table { border-collapse: collapse; font-size: 0.9em; } th, td { padding: 0.2em 0.8em; text-align: left; border-bottom: 1px solid #eee; }
        code, td { font-variant-numeric: tabular-nums; } .meta { color: #666; font-size: 0.85em; }
        td { vertical-align: top; white-space: pre-line; word-break: break-all; } details { margin: 0.5em 0; } summary { cursor: pointer; }
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
