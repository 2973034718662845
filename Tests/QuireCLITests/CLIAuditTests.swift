import Foundation
import Testing
import TestSupport

@Suite("CLI audit")
struct CLIAuditTests {
    /// An archive of both sample days.
    func sampleArchive() throws -> (TemporaryDirectory, String) {
        let dir = TemporaryDirectory("cli-audit")
        let a = dir.file("a.quire")
        let ingest = try quire(["-A", a, "ingest", "-q", "--source", "samples", samples + "/day-1", samples + "/day-2"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        return (dir, a)
    }

    /// A document key from the samples that has two versions.
    func versionedKey(_ archive: String) throws -> String {
        let list = try #require(try parseJSON(try quire(["-A", archive, "ls", "--json"])) as? [[String: Any]])
        return try #require(list.first { ($0["versions"] as? Int ?? 0) > 1 }?["key"] as? String)
    }

    @Test("the issue's forgery with the sqlite3 shell (batch agent, source, start) makes verify exit 1 naming the batch and its event; the digest alone would not")
    func forgedBatchCaught() throws {
        try requireTool("sqlite3", check: ["sqlite3", "--version"])
        let (dir, a) = try sampleArchive()
        _ = dir
        #expect(try quire(["-A", a, "verify", "--no-record"]).status == 0)
        let digest = try quire(["-A", a, "digest"]).stdoutText
        let shell = try runProcess("sqlite3", [a, "update batches set agent='mallory@evil', source='reuters', started_at='2020-01-01T00:00:00.000Z'"])
        #expect(shell.status == 0, "\(shell.stderr)")
        #expect(try quire(["-A", a, "digest"]).stdoutText == digest)
        for mode in [[], ["--quick"]] {
            let bad = try quire(["-A", a, "verify", "--no-record"] + mode)
            #expect(bad.status == 1)
            #expect(bad.stdoutText.contains("PROBLEM derived batches: batch "), "\(bad.stdoutText)")
            #expect(bad.stdoutText.contains("agent is 'mallory@evil' but the events say"))
            #expect(bad.stdoutText.contains("(batch.open))"))
        }
        let json = try #require(try parseJSON(try quire(["-A", a, "verify", "--json", "--no-record"])) as? [String: Any])
        let problems = try #require(json["problems"] as? [[String: Any]])
        #expect(problems.contains { $0["area"] as? String == "derived" && ($0["subject"] as? String ?? "").hasPrefix("batches: batch ") })
    }

    @Test("QUIRE_SIGNING_KEY signs ingest; verify --allowed-signers names the signer (exit 0), another key's file exits 1; provenance shows the signer; a bad key file is a setting error")
    func signedIngest() throws {
        try requireTool("ssh-keygen", check: ["sh", "-c", "command -v ssh-keygen"])
        let dir = TemporaryDirectory("cli-sign")
        let key = dir.file("ana"), other = dir.file("other")
        for k in [key, other] { #expect(try runProcess("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "x", "-f", k]).status == 0) }
        let signers = try dir.write("signers", "ana@example.org namespaces=\"quire\" " + (try String(contentsOfFile: key + ".pub", encoding: .utf8)))
        let wrong = try dir.write("wrong", "ana@example.org " + (try String(contentsOfFile: other + ".pub", encoding: .utf8)))
        let a = dir.file("a.quire")
        let env = ["QUIRE_SIGNING_KEY": key, "QUIRE_SIGNING_PRINCIPAL": "ana@example.org"]
        let ingest = try quire(["-A", a, "ingest", "-q", samples + "/day-1"], environment: env)
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let fingerprint = try runProcess("ssh-keygen", ["-l", "-f", key + ".pub"]).stdoutText.split(separator: " ")[1]
        let good = try quire(["-A", a, "verify", "--no-record", "--allowed-signers", signers])
        #expect(good.status == 0, "\(good.stdoutText)")
        #expect(good.stdoutText.contains("(batch.close) by ana@example.org (ED25519 \(fingerprint)): allowed"), "\(good.stdoutText)")
        let bad = try quire(["-A", a, "verify", "--no-record", "--allowed-signers", wrong])
        #expect(bad.status == 1)
        #expect(bad.stdoutText.contains("PROBLEM signature ") && bad.stdoutText.contains("unknown key"), "\(bad.stdoutText)")
        let missing = try quire(["-A", a, "verify", "--no-record", "--allowed-signers", dir.file("nope")])
        #expect(missing.status == 64)
        let list = try #require(try parseJSON(try quire(["-A", a, "ls", "--json"])) as? [[String: Any]])
        let key0 = try #require(list.first?["key"] as? String)
        let trail = try quire(["-A", a, "provenance", key0])
        #expect(trail.stdoutText.contains("signed by ana@example.org (ED25519 \(fingerprint))"), "\(trail.stdoutText)")
        let noKey = try quire(["-A", a, "ingest", "-q", samples + "/day-2"], environment: ["QUIRE_SIGNING_KEY": dir.file("absent")])
        #expect(noKey.status != 0 && noKey.stderr.contains("QUIRE_SIGNING_KEY"), "\(noKey.stderr)")

        // The signing-key setting stands in for the variable.
        let b = dir.file("b.quire")
        #expect(try quire(["init", b]).status == 0)
        #expect(try quire(["-A", b, "config", "signing-key", key]).status == 0)
        let byConfig = try quire(["-A", b, "ingest", "-q", samples + "/day-1"], environment: ["QUIRE_SIGNING_PRINCIPAL": "ana@example.org"])
        #expect(byConfig.status == 0, "\(byConfig.stderr)")
        let configured = try quire(["-A", b, "verify", "--no-record", "--allowed-signers", signers])
        #expect(configured.status == 0 && configured.stdoutText.contains("by ana@example.org (ED25519 \(fingerprint)): allowed"), "\(configured.stdoutText)")
    }

    @Test("provenance prints the trail as text, JSON and a DOT graph that Graphviz renders")
    func provenance() throws {
        let (dir, a) = try sampleArchive()
        let key = try versionedKey(a)
        let text = try quire(["-A", a, "provenance", key])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdoutText.contains("document \(key)") && text.stdoutText.contains("@2") && text.stdoutText.contains("recorded by this copy"))
        let json = try #require(try parseJSON(try quire(["-A", a, "provenance", key, "--json"])) as? [String: Any])
        let versions = try #require(json["versions"] as? [[String: Any]])
        #expect(versions.count == 2)
        let sighting = try #require((versions[0]["sightings"] as? [[String: Any]])?.first)
        let batch = try #require(sighting["batch"] as? [String: Any])
        for field in ["id", "label", "source", "agent", "host", "tool", "started_at"] { #expect(batch[field] != nil, "\(field)") }
        #expect(batch["source"] as? String == "samples")
        #expect(sighting["meaning"] as? String == "new")

        let dot = try quire(["-A", a, "provenance", key, "--dot"])
        #expect(dot.status == 0)
        try requireTool("Graphviz dot", check: ["dot", "-V"])
        let svg = try runProcess("dot", ["-Tsvg"], stdin: dot.stdout)
        #expect(svg.status == 0, "dot failed: \(svg.stderr)")
        #expect(svg.stdoutText.contains("<svg") && svg.stdoutText.contains("wasDerivedFrom"))
        withExtendedLifetime(dir) {}

        let missing = try quire(["-A", a, "provenance", "no/such/thing"])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("Error: "))
        let both = try quire(["-A", a, "provenance", key, "--key", "--path"])
        #expect(both.status == 64 && both.stderr.contains("Usage:"))
    }

    @Test("verify: exit 0 and a summary when clean, exit 1 naming each problem when damaged")
    func verify() throws {
        let (dir, a) = try sampleArchive()
        let clean = try quire(["-A", a, "verify"])
        #expect(clean.status == 0, "\(clean.stdoutText)")
        #expect(clean.stdoutText.contains("full verify: clean"))
        let json = try #require(try parseJSON(try quire(["-A", a, "verify", "--quick", "--json"])) as? [String: Any])
        #expect(json["result"] as? String == "clean" && json["mode"] as? String == "quick" && json["recorded"] as? Bool == true)
        // Damage one stored blob with the sqlite3 shell.
        let damage = try runProcess("sqlite3", [a, "UPDATE blob_chunks SET data = zeroblob(length(data)) WHERE blob = (SELECT min(id) FROM blobs);"])
        #expect(damage.status == 0, "\(damage.stderr)")
        let hash = try runProcess("sqlite3", [a, "SELECT hash FROM blobs WHERE id = (SELECT min(id) FROM blobs);"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let bad = try quire(["-A", a, "verify"])
        #expect(bad.status == 1)
        #expect(bad.stdoutText.contains("PROBLEM blob \(hash)"))
        let report = try #require(try parseJSON(try quire(["-A", a, "verify", "--json", "--no-record"])) as? [String: Any])
        #expect(report["result"] as? String == "problems")
        #expect((report["problems"] as? [[String: Any]])?.contains { $0["subject"] as? String == hash } == true)
        // The report lists the runs.
        let summary = try #require(try parseJSON(try quire(["-A", a, "report", "--json"])) as? [String: Any])
        let copy = try #require((summary["copies"] as? [[String: Any]])?.first)
        #expect((copy["last_verify"] as? [String: Any])?["result"] as? String == "problems")
        withExtendedLifetime(dir) {}
    }

    @Test("redact, then cat says who and why; purge lists quarantine; bad use is a usage error")
    func redact() throws {
        let (dir, a) = try sampleArchive()
        let key = try versionedKey(a)
        let hash = try quire(["-A", a, "show", key, "--json"])
        let blob = try #require(((try parseJSON(hash) as? [String: Any])?["blob"] as? [String: Any])?["hash"] as? String)
        let noReason = try quire(["-A", a, "redact", blob])
        #expect(noReason.status == 64 && noReason.stderr.contains("--reason"))
        let done = try quire(["-A", a, "redact", String(blob.prefix(12)), "--reason", "takedown notice 7", "--agent", "legal@paper", "--compact"])
        #expect(done.status == 0, "\(done.stderr)")
        let cat = try quire(["-A", a, "cat", blob])
        #expect(cat.status == 1)
        #expect(cat.stderr.contains("redacted by legal@paper") && cat.stderr.contains("takedown notice 7"))
        #expect(cat.stdout.isEmpty)
        let verify = try quire(["-A", a, "verify"])
        #expect(verify.status == 0 && verify.stdoutText.contains("redacted \(blob)"))
        let purge = try quire(["-A", a, "purge"])
        #expect(purge.status == 0 && purge.stdoutText.contains("quarantine is empty"))
        let reinstate = try quire(["-A", a, "reinstate", blob])
        #expect(reinstate.status == 1 && reinstate.stderr.contains("deleted"))
        let html = dir.file("report.html")
        #expect(try quire(["-A", a, "report", "--html", html]).status == 0)
        let page = String(decoding: try readFile(html), as: UTF8.self)
        #expect(page.contains("takedown notice 7") && page.contains("legal@paper"))
        #expect(!page.contains("<script"))
    }

    @Test("every audit command has help on stdout")
    func help() throws {
        for command in ["provenance", "verify", "redact", "reinstate", "purge", "report"] {
            let result = try quire([command, "--help"])
            #expect(result.status == 0, "\(command)")
            #expect(result.stdoutText.contains("quire \(command)"), "\(command)")
            #expect(result.stderr.isEmpty, "\(command)")
        }
    }
}
