import CorpusGenerator
import Foundation
import Hashing
import Testing
import TestSupport
@testable import QuireKit

@Suite("Queries")
struct QueryTests {
    @Test("references: KEY, KEY@N, hash prefixes, unknown and ambiguous ones")
    func resolve() throws {
        let scratch = try Scratch()
        let samples = repositoryRoot + "/Archives/samples"
        _ = try scratch.archive.ingest(paths: [samples + "/day-1", samples + "/day-2"], options: quietOptions())
        let key = "https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks"
        let log = try scratch.archive.log(key: key)
        #expect(try scratch.archive.resolve(key) == .version(log[1]))
        #expect(try scratch.archive.resolve(key + "@1") == .version(log[0]))
        #expect { try scratch.archive.resolve(key + "@3") } throws: { ($0 as? QuireError)?.code == .notFound }
        #expect(try scratch.archive.resolve(String(log[0].blob.prefix(10))).blobHash == log[0].blob)
        #expect(try scratch.archive.resolve(log[0].blob.uppercased()).blobHash == log[0].blob)
        #expect(try scratch.archive.resolve(String(log[0].hash.prefix(12))) == .version(log[0]))
        #expect { try scratch.archive.resolve("nothing-like-this") } throws: { ($0 as? QuireError)?.code == .notFound }
        #expect { try scratch.archive.resolve("abc") } throws: { ($0 as? QuireError)?.code == .notFound }
    }

    @Test("an ambiguous hash prefix is an error listing every candidate")
    func ambiguous() throws {
        let scratch = try Scratch()
        let root = scratch.dir.file("corpus")
        try NewsCorpus(articles: 600, seed: 2).write(to: root, withCopies: false)
        _ = try scratch.archive.ingest(paths: [root], options: quietOptions())
        let hashes = try scratch.archive.documents().compactMap(\.headBlob)
        var byPrefix: [Substring: [String]] = [:]
        for h in hashes { byPrefix[h.prefix(4), default: []].append(h) }
        let (prefix, matches) = try #require(byPrefix.first { $0.value.count >= 2 })
        do {
            _ = try scratch.archive.resolve(String(prefix))
            Issue.record("an ambiguous prefix was resolved")
        } catch let error as QuireError {
            #expect(error.code == .ambiguous)
            for m in matches { #expect(error.message.contains(m)) }
        }
    }

    @Test("stats count documents, versions, blobs, sightings, batches and bytes")
    func stats() throws {
        let scratch = try Scratch()
        let samples = repositoryRoot + "/Archives/samples"
        _ = try scratch.archive.ingest(paths: [samples + "/day-1", samples + "/day-2"], options: quietOptions())
        let stats = try scratch.archive.stats()
        #expect(stats.documents == 6)
        #expect(stats.versions == 7)
        #expect(stats.blobs == 6)
        #expect(stats.sightings == 8)
        #expect(stats.batches == 1)
        var distinct: [String: Int] = [:]
        for file in filesUnder(samples) {
            let bytes = try readFile(samples + "/" + file)
            distinct[SHA256.hash(bytes).hex] = bytes.count
        }
        #expect(stats.originalBytes == distinct.values.reduce(0, +))
        #expect(stats.storedBytes > 0 && stats.storedBytes < stats.originalBytes)
        let json = stats.json
        for key in ["documents", "versions", "blobs", "sightings", "batches", "original_bytes", "stored_bytes"] {
            #expect(json[key]?.intValue != nil, "\(key)")
        }
    }

    @Test("batches record label, source, agent, host, tool, inputs, times and counts")
    func batches() throws {
        let scratch = try Scratch()
        var options = quietOptions(label: "morning scrape")
        options.source = "wire"
        options.agent = "ana@newsroom"
        options.note = "first run"
        let samples = repositoryRoot + "/Archives/samples/day-1"
        _ = try scratch.archive.ingest(paths: [samples], options: options)
        let batch = try #require(try scratch.archive.batches().first)
        #expect(batch.label == "morning scrape")
        #expect(batch.source == "wire")
        #expect(batch.agent == "ana@newsroom")
        #expect(batch.note == "first run")
        #expect(batch.host == Identity.host)
        #expect(batch.tool == Identity.tool)
        #expect(batch.inputs == [samples])
        #expect(batch.finishedAt != nil && batch.finishedAt! >= batch.startedAt)
        #expect(batch.files == 5 && batch.counts["new"] == 5 && batch.counts["duplicate"] == 0)
    }
}
