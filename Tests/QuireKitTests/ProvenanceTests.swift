import Foundation
import SQLite
import Testing
import TestSupport
@testable import QuireKit

@Suite("Provenance and report")
struct ProvenanceTests {
    /// Copy 0 ingests two batches: `a.txt` in two versions, `dup.txt` a duplicate of `b.txt`.
    private func twoBatches(copies: Int = 1) throws -> Copies {
        let c = try Copies(copies)
        _ = try c.dir.write("one/a.txt", "first text\n")
        _ = try c.dir.write("one/b.txt", "shared text\n")
        var options = quietOptions(label: "monday")
        options.source = "wire"
        options.agent = "ana"
        _ = try c[0].ingest(paths: [c.dir.file("one")], options: options)
        _ = try c.dir.write("two/a.txt", "second text\n")
        _ = try c.dir.write("two/dup.txt", "shared text\n")
        options.label = "tuesday"
        options.source = "rss"
        _ = try c[0].ingest(paths: [c.dir.file("two")], options: options)
        return c
    }

    @Test("a document's trail: versions in order with parents, each with its sightings and their batch")
    func documentTrail() throws {
        let c = try twoBatches()
        let trail = try c[0].provenance(try c[0].provenanceSubject("a.txt"))
        #expect(trail.subject == .document(key: "a.txt"))
        #expect(trail.versions.map(\.version.number) == [1, 2])
        #expect(trail.versions[0].version.parents.isEmpty)
        #expect(trail.versions[1].version.parents == [trail.versions[0].version.hash])
        #expect(trail.versions[1].version.isCurrent)
        let first = try #require(trail.versions[0].sightings.first)
        #expect(first.batch.label == "monday" && first.batch.source == "wire" && first.batch.agent == "ana")
        #expect(first.batch.tool == Identity.tool && first.batch.host == Identity.host)
        #expect(first.meaning == "new" && first.size == 11 && first.mtime != nil && first.path == "a.txt")
        #expect(trail.versions[1].sightings.map(\.meaning) == ["version"])
        #expect(first.recorded.archive == c[0].id && first.recorded.route.isEmpty)
        #expect(trail.copies.map(\.isThis) == [true])
    }

    @Test("a hash's trail: every document and path that carried the bytes")
    func blobTrail() throws {
        let c = try twoBatches()
        let hash = try c[0].resolve("b.txt").blobHash
        let trail = try c[0].provenance(try c[0].provenanceSubject(String(hash.prefix(10))))
        #expect(trail.subject == .blob(hash: hash))
        #expect(Set(trail.versions.map(\.version.key)) == ["b.txt", "dup.txt"])
        #expect(trail.sightings.map(\.path) == ["b.txt", "dup.txt"])
        #expect(trail.sightings.map(\.meaning) == ["new", "new"])
    }

    @Test("a path's trail: what it held in each batch")
    func pathTrail() throws {
        let c = try twoBatches()
        let trail = try c[0].provenance(try c[0].provenanceSubject("a.txt", kind: "path"))
        #expect(trail.subject == .path("a.txt"))
        #expect(trail.sightings.map(\.batch.label) == ["monday", "tuesday"])
        #expect(trail.sightings.map(\.blob) == trail.versions.map(\.version.blob))
        #expect(throws: QuireError.self) { try c[0].provenanceSubject("nowhere.txt") }
    }

    @Test("the route: which copy recorded a sighting and which bundles carried it from copy to copy")
    func route() throws {
        let c = try twoBatches(copies: 3)
        try c.send(0, 1)
        try c.send(1, 2)
        let trail = try c[2].provenance(.document(key: "a.txt"))
        let sighting = try #require(trail.versions.first?.sightings.first)
        #expect(sighting.recorded.archive == c[0].id)
        #expect(sighting.recorded.route.map(\.from) == [c[0].id, c[1].id])
        #expect(sighting.recorded.route.map(\.into) == [c[1].id, c[2].id])
        #expect(Set(trail.copies.map(\.archive)) == [c[0].id, c[1].id, c[2].id])
        #expect(trail.copies.first { $0.archive == c[2].id }?.isThis == true)
    }

    @Test("the DOT graph names versions, sightings, batches and copies, with PROV relations")
    func dotGraph() throws {
        let c = try twoBatches(copies: 2)
        try c.send(0, 1)
        let dot = try c[1].provenance(.document(key: "a.txt")).dot
        #expect(dot.hasPrefix("digraph provenance {"))
        for needle in ["wasDerivedFrom", "wasGeneratedBy", "wasAssociatedWith", "batch monday", "batch tuesday", "a.txt @2", "copy this copy", "import of bundle"] {
            #expect(dot.contains(needle), "missing \(needle)")
        }
        #expect(DotGraph.quote("say \"hi\"\\\nbye") == "\"say \\\"hi\\\"\\\\\\nbye\"")
    }

    @Test("the report covers batches, sources, versions, forks, copies and redactions, in a self-contained page")
    func report() throws {
        let c = try twoBatches(copies: 2)
        _ = try c.ingest(0, ["<b>odd key</b>.txt": "x\n"])
        _ = try c.ingest(0, ["<b>odd key</b>.txt": "y\n"])
        _ = try c[0].verify()
        let hash = try c[0].resolve("b.txt").blobHash
        try c[0].redact(hash: hash, reason: "reason with <script>alert(1)</script>")
        try c.send(0, 1)
        // A fork: both copies change a.txt.
        _ = try c.ingest(0, ["a.txt": "third text (copy 0)\n"])
        _ = try c.ingest(1, ["a.txt": "third text (copy 1)\n"])
        try c.send(1, 0)
        let report = try c[0].report()
        #expect(report.days.reduce(0) { $0 + $1.batches } == 6)
        #expect(Set(report.sources.compactMap(\.name)) == ["wire", "rss"])
        #expect(report.mostVersions.first?.key == "a.txt")
        #expect(report.forked.map(\.key) == ["a.txt"])
        #expect(report.copies.count == 2)
        #expect(report.copies.first { $0.info.isThis }?.lastVerify?.result == "clean")
        #expect(report.copies.first { !$0.info.isThis }?.lastSync != nil)
        #expect(report.redactions.map(\.blob) == [hash])
        let html = report.html
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<td>a.txt</td>") && html.contains("<td>wire</td>") && html.contains("<td>rss</td>"))
        #expect(html.contains("id=\"forked\""))
        #expect(html.contains("&lt;b&gt;odd key&lt;/b&gt;.txt"))
        #expect(html.contains("reason with &lt;script&gt;"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=") && !html.contains("href=") && !html.contains("@import"))
        #expect(html.contains(c[0].id) && html.contains(c[1].id))
    }
}
