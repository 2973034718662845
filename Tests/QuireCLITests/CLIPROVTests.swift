import Foundation
import Testing
import TestSupport

/// Reads a PROV-JSON file with the Python `prov` package (W3C PROV's reference Python library)
/// and prints the counts of each kind of record, as JSON.
private let provReader = """
import json, sys
import prov, prov.model as m
doc = prov.read(sys.argv[1], format="json")
kinds = {"entity": m.ProvEntity, "activity": m.ProvActivity, "agent": m.ProvAgent, "wasGeneratedBy": m.ProvGeneration,
         "wasDerivedFrom": m.ProvDerivation, "wasAttributedTo": m.ProvAttribution, "used": m.ProvUsage,
         "wasAssociatedWith": m.ProvAssociation}
out = {k: len(list(doc.get_records(v))) for k, v in kinds.items()}
out["derived_pairs"] = sorted([str(r.formal_attributes[0][1]) + " " + str(r.formal_attributes[1][1]) for r in doc.get_records(m.ProvDerivation)])
out["person_types"] = sorted({str(v) for r in doc.get_records(m.ProvAgent) for k, v in r.attributes if str(k) == "prov:type"})
print(json.dumps(out))
"""

@Suite("CLI PROV export")
struct CLIPROVTests {
    func sqlite(_ archive: String, _ sql: String) throws -> Int {
        Int(try runProcess("sqlite3", [archive, sql]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    @Test("export prov writes PROV-JSON that the Python prov package reads, with one entity per blob and version, one activity per batch and redaction, and each version's parents as wasDerivedFrom; --key narrows it")
    func provReadsIt() throws {
        try requireTool("prov (PyPI)", check: ["python3", "-c", "import prov.model"])
        try requireTool("sqlite3", check: ["sqlite3", "--version"])
        let dir = TemporaryDirectory("cli-prov")
        let a = dir.file("a.quire")
        #expect(try quire(["-A", a, "ingest", "-q", samples + "/day-1"]).status == 0)
        #expect(try quire(["-A", a, "ingest", "-q", samples + "/day-2"]).status == 0)
        let blob = try runProcess("sqlite3", [a, "SELECT hash FROM blobs ORDER BY id LIMIT 1"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try quire(["-A", a, "redact", blob, "--reason", "test"]).status == 0)
        let out = dir.file("trail.json")
        let export = try quire(["-A", a, "export", "prov", out, "--json"])
        #expect(export.status == 0, "\(export.stderr)")
        let read = try runPython(provReader, [out])
        #expect(read.status == 0, "\(read.stderr)")
        let counts = try #require(try JSONSerialization.jsonObject(with: Data(read.stdout)) as? [String: Any])
        let blobs = try sqlite(a, "SELECT count(*) FROM blobs"), versions = try sqlite(a, "SELECT count(*) FROM versions")
        #expect(counts["entity"] as? Int == blobs + versions)
        #expect(counts["activity"] as? Int == (try sqlite(a, "SELECT count(*) FROM batches")) + (try sqlite(a, "SELECT count(*) FROM redactions")))
        #expect(counts["wasDerivedFrom"] as? Int == (try sqlite(a, "SELECT count(*) FROM version_parents")))
        #expect((counts["wasDerivedFrom"] as? Int ?? 0) > 0)
        #expect(counts["wasGeneratedBy"] as? Int == versions + blobs)
        #expect((counts["wasAssociatedWith"] as? Int ?? 0) >= 4 * 2)
        #expect((counts["person_types"] as? [String] ?? []).contains("prov:Person"))
        let pairs = try runProcess("sqlite3", [a, "SELECT 'version:' || v.hash || ' version:' || p.hash FROM version_parents vp JOIN versions v ON v.id = vp.version JOIN versions p ON p.id = vp.parent ORDER BY 1"])
        #expect((counts["derived_pairs"] as? [String]) == pairs.stdoutText.split(separator: "\n").map(String.init))
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(export.stdout)) as? [String: Any])
        #expect(summary["entities"] as? Int == blobs + versions)

        // One document: its versions and their blobs, the batches that saw them.
        let key = try runProcess("sqlite3", [a, "SELECT d.key FROM documents d JOIN versions v ON v.document = d.id GROUP BY d.id HAVING count(*) > 1 LIMIT 1"]).stdoutText
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let one = dir.file("one.json")
        #expect(try quire(["-A", a, "export", "prov", one, "--key", key]).status == 0)
        let narrowed = try #require(try JSONSerialization.jsonObject(with: Data(try runPython(provReader, [one]).stdout)) as? [String: Any])
        let keyVersions = try sqlite(a, "SELECT count(*) FROM versions v JOIN documents d ON d.id = v.document WHERE d.key = '\(key)'")
        let keyBlobs = try sqlite(a, "SELECT count(DISTINCT v.blob) FROM versions v JOIN documents d ON d.id = v.document WHERE d.key = '\(key)'")
        #expect(narrowed["entity"] as? Int == keyVersions + keyBlobs)
        #expect(narrowed["activity"] as? Int == 2)
        #expect(narrowed["wasDerivedFrom"] as? Int == keyVersions - 1)
        // Bad input: an unknown key, both selections, an existing file.
        #expect(try quire(["-A", a, "export", "prov", dir.file("x.json"), "--key", "no-such-key"]).status == 1)
        #expect(try quire(["-A", a, "export", "prov", dir.file("x.json"), "--key", key, "--batch", "b"]).status == 64)
        #expect(try quire(["-A", a, "export", "prov", one]).status != 0)
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.json")))
    }
}
