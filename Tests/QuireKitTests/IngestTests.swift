import CorpusGenerator
import Foundation
import Hashing
import SQLite
import Testing
import TestSupport
@testable import QuireKit

@Suite("Ingest")
struct IngestTests {
    /// Every file under `root` must read back byte for byte from the archive by its key.
    func expectFilesArchived(_ archive: Archive, root: String, keyPrefix: String = "") throws {
        for relative in filesUnder(root) {
            let bytes = try readFile(root + "/" + relative)
            let hash = SHA256.hash(bytes).hex
            #expect(try archive.blobBytes(hash: hash) == bytes, "\(relative)")
            #expect(try archive.sightings(blob: hash).contains { $0.path == keyPrefix + relative })
        }
    }

    @Test("the shared seed batch: five new articles, each readable byte for byte")
    func seedBatch() throws {
        let scratch = try Scratch()
        let root = sharedDirectory + "/samples/seed-batch"
        let report = try scratch.archive.ingest(paths: [root], options: quietOptions())
        #expect(report.counts == ["new": 5, "version": 0, "duplicate": 0, "unchanged": 0, "failed": 0, "pending": 0])
        #expect(report.newBlobs == 5)
        try expectFilesArchived(scratch.archive, root: root)
        let stats = try scratch.archive.stats()
        #expect(stats.documents == 5 && stats.blobs == 5 && stats.sightings == 5 && stats.batches == 1)
        #expect(stats.storedBytes < stats.originalBytes)
    }

    @Test("chunks are committed several at a time: a transaction ends at the files, bytes or seconds limit, and every file is archived")
    func commitsGroupChunks() throws {
        let scratch = try Scratch()
        for i in 0..<95 { try scratch.dir.write("in/f\(i).txt", "Story \(i)\n\nThe ferry left at \(i) past noon.\n") }
        func commits(_ configure: (inout IngestOptions) -> Void) throws -> (Int, IngestReport) {
            let archive = try Archive.create(at: scratch.dir.file("a\(UUID().uuidString.prefix(6)).quire"))
            var options = quietOptions()
            options.chunkFiles = 10
            options.commitWhileWaiting = false   // the limits alone decide here
            configure(&options)
            archive.db.countCommits()
            let report = try archive.ingest(paths: [scratch.dir.file("in")], options: options)
            #expect(try archive.stats().sightings == 95 && archive.verify(record: false).isClean)
            // The search-index rows held back until each commit are all written.
            #expect(try archive.searchResults(SearchQuery("ferry")).total == 95 && archive.deferredSearchRows == nil)
            return (archive.db.commitCount ?? 0, report)
        }
        // Ten chunks; one transaction each when every chunk reaches the limit.
        let (each, _) = try commits { $0.commitFiles = 1 }
        // Three chunks per transaction (30 files), then the last five: four, not ten.
        let (grouped, report) = try commits { $0.commitFiles = 30; $0.commitSeconds = 3600 }
        #expect(report.counts["new"] == 95)
        #expect(each - grouped == 6, "per chunk \(each) commits, grouped \(grouped)")
        // The bytes limit ends a transaction too.
        let (byBytes, _) = try commits { $0.commitFiles = 1000; $0.commitBytes = 1; $0.commitSeconds = 3600 }
        #expect(byBytes == each)
        // Committing whenever the writer would wait for the next chunk: never more commits than
        // one per chunk, and the work is the same.
        let (waiting, _) = try commits { $0.commitFiles = 30; $0.commitSeconds = 3600; $0.commitWhileWaiting = true }
        #expect(waiting >= grouped && waiting <= each)
    }

    @Test("the open transaction is committed while the writer waits for the preparer: a slow chunk (a large file to hash and compress) makes a commit of its own")
    func commitsWhileWaiting() throws {
        let scratch = try Scratch()
        for i in 0..<10 { try scratch.dir.write("in/a\(i).txt", "Story \(i)\n\nThe ferry left at \(i) past noon.\n") }
        // 24 MiB of bytes zlib cannot shrink: the preparer takes a good part of a second on them.
        var random = SeededRandom(seed: 3)
        let words = (0..<(3 << 20)).map { _ in random.next() }
        try scratch.dir.write("in/b-big.bin", words.withUnsafeBytes { Array($0) })
        for i in 0..<10 { try scratch.dir.write("in/c\(i).txt", "Later \(i)\n\nThe quay closed at \(i).\n") }
        func commits(whileWaiting: Bool) throws -> Int {
            let archive = try Archive.create(at: scratch.dir.file("w\(whileWaiting).quire"))
            var options = quietOptions()
            options.chunkFiles = 10
            options.commitFiles = 1000
            options.commitSeconds = 3600
            options.commitWhileWaiting = whileWaiting
            archive.db.countCommits()
            _ = try archive.ingest(paths: [scratch.dir.file("in")], options: options)
            #expect(try archive.stats().sightings == 21 && archive.verify(record: false).isClean)
            return archive.db.commitCount ?? 0
        }
        let held = try commits(whileWaiting: false)
        let waiting = try commits(whileWaiting: true)
        // The first chunk is applied long before the big file's chunk is ready: its transaction
        // is committed then instead of staying open until the end.
        #expect(waiting > held, "waiting \(waiting), held \(held)")
    }

    @Test("within one transaction of several chunks, a file builds on a near-copy planned in an earlier, uncommitted chunk")
    func baseFromUncommittedChunk() throws {
        let scratch = try Scratch()
        let story = (0..<60).map { "Sentence \($0) of the harbour story says something new about the ferry, the quay and the tide." }
            .joined(separator: " ")
        try scratch.dir.write("in/a/story.txt", "Harbour story\n\n" + story + "\n")
        try scratch.dir.write("in/b/story.txt", "Harbour story\n\n" + story + "\n\nFiled by the wire desk.\n")
        var options = quietOptions()
        options.chunkFiles = 1              // each file a chunk of its own
        options.commitFiles = 1000          // and both in one transaction
        options.commitSeconds = 3600
        options.commitWhileWaiting = false
        _ = try scratch.archive.ingest(paths: [scratch.dir.file("in")], options: options)
        let rows = try scratch.archive.db.rows("SELECT id, encoding, base FROM blobs ORDER BY id") { (id: $0.int(0), encoding: $0.text(1), base: $0.optionalInt(2)) }
        #expect(rows.count == 2 && rows[1].encoding == "delta" && rows[1].base == rows[0].id, "\(rows)")
        #expect(try scratch.archive.verify(record: false).isClean)
    }

    @Test("bytes repeated within a chunk and across uncommitted chunks are read once, and every copy is keyed and described as if read on its own (by path and by URL)")
    func repeatedBytesReadOnce() throws {
        let scratch = try Scratch()
        let page = "<html><head><title>Ferry strike ends</title><link rel=canonical href=\"https://harbour.example/ferry\"></head>"
            + "<body><h1>Ferry strike ends</h1><p>The crews went back at dawn, and the first boat left at six.</p></body></html>"
        for name in ["a", "b", "c"] { try scratch.dir.write("in/\(name).html", page) }
        try scratch.dir.write("in/d.html", page.replacingOccurrences(of: "six", with: "seven"))
        let hash = SHA256.hash(Array(page.utf8)).hex
        for (mode, chunkFiles) in [(IngestOptions.KeyMode.path, 1), (.path, 10), (.url, 1), (.url, 10)] {
            let archive = try Archive.create(at: scratch.dir.file("\(mode)-\(chunkFiles).quire"))
            var options = quietOptions()
            options.keyMode = mode
            options.chunkFiles = chunkFiles     // 1: each copy in a chunk of its own; 10: all in one
            options.commitFiles = 1000          // and one transaction: the first copy is planned, not committed
            options.commitSeconds = 3600
            options.commitWhileWaiting = false
            let report = try archive.ingest(paths: [scratch.dir.file("in")], options: options)
            // The page once and its edit once; by URL, a copy in a chunk of its own is read for its key.
            #expect(report.metadataReads == (mode == .url && chunkFiles == 1 ? 4 : 2), "\(mode) \(chunkFiles): \(report.metadataReads) reads")
            let rows = try archive.db.rows("SELECT a.kind, a.url, a.fields FROM articles a JOIN blobs b ON b.id = a.blob WHERE b.hash = ?", [hash]) {
                (kind: $0.text(0), url: $0.optionalText(1), fields: $0.text(2)) }
            #expect(rows.count == 1 && rows[0].kind == "html" && rows[0].url == "https://harbour.example/ferry", "\(mode) \(chunkFiles): \(rows)")
            #expect(rows.first?.fields.contains("Ferry strike ends") == true)
            let keys = try archive.sightings(blob: hash).map { $0.key ?? "" }
            #expect(keys.count == 3)
            if mode == .url {
                // A repeat keyed by its URL needs the page read, even when an earlier chunk stores its bytes.
                #expect(keys == Array(repeating: "https://harbour.example/ferry", count: 3), "\(chunkFiles): \(keys)")
            } else {
                #expect(keys == ["a.html", "b.html", "c.html"])
            }
            #expect(try archive.searchResults(SearchQuery("dawn")).total > 0)
            #expect(try archive.verify(record: false).isClean)
        }
    }

    @Test("the project's samples: new, version and unchanged in one batch, the wire copy a new document with bytes already stored")
    func projectSamples() throws {
        let scratch = try Scratch()
        let samples = repositoryRoot + "/Archives/samples"
        let report = try scratch.archive.ingest(paths: [samples + "/day-1", samples + "/day-2"], options: quietOptions())
        #expect(report.counts == ["new": 6, "version": 1, "duplicate": 0, "unchanged": 1, "failed": 0, "pending": 0])
        #expect(report.alreadyStored == 1)
        // The new documents are what `ls` shows.
        #expect(try scratch.archive.documents().count == report.counts["new"])
        let log = try scratch.archive.log(key: "https://harbour-gazette.example/news/2026/03/26/ferry-strike-talks")
        #expect(log.count == 2)
        #expect(log[1].parents == [log[0].hash])
        #expect(log[1].isCurrent)
        #expect(try scratch.archive.blobBytes(hash: log[0].blob) == readFile(samples + "/day-1/harbour-gazette/ferry-strike-talks.txt"))
        #expect(try scratch.archive.blobBytes(hash: log[1].blob) == readFile(samples + "/day-2/harbour-gazette/ferry-strike-talks.txt"))
        // The second version is compressed against the first.
        let stored = try #require(try scratch.archive.blobInfo(hash: log[1].blob))
        #expect(stored.base == log[0].blob)
        #expect(stored.depth == 1)
        let duplicate = try scratch.archive.sightings(blob: SHA256.hash(try readFile(samples + "/day-1/valley-times/bridge-reopens.txt")).hex)
        #expect(duplicate.map(\.meaning) == ["new", "new"])
        #expect(duplicate.map(\.held) == [false, true])
    }

    @Test("a generated corpus keyed by path: exact counts for a first ingest, a 10% edit batch and an unchanged re-ingest")
    func generatedCorpusByPath() throws {
        try generatedCorpus(.path)
    }

    @Test("a generated corpus keyed by URL: copies are sightings of one document, and re-ingest adds nothing")
    func generatedCorpusByURL() throws {
        try generatedCorpus(.url)
    }

    /// Ingests a generated corpus three times (first, with 10% of the articles edited, unchanged)
    /// and checks every count. By path, syndicated copies and recaptures are new documents with
    /// bytes already stored; by URL (they carry the original's canonical URL) they are the same
    /// document, unchanged.
    func generatedCorpus(_ mode: IngestOptions.KeyMode) throws {
        let scratch = try Scratch()
        let corpus = NewsCorpus(articles: 400, seed: 21)
        let root = scratch.dir.file("corpus")
        let first = try corpus.write(to: root)
        #expect(first.copies > 0)

        var options = quietOptions()
        options.chunkFiles = 64   // several transactions
        options.keyMode = mode
        let r1 = try scratch.archive.ingest(paths: [root], options: options)
        #expect(r1.counts["new"] == (mode == .path ? first.files : corpus.articles))
        #expect(r1.counts["unchanged"] == (mode == .path ? 0 : first.copies))
        #expect(r1.alreadyStored == (mode == .path ? first.copies : 0))
        #expect(r1.counts["duplicate"] == 0)
        #expect(r1.counts["version"] == 0 && r1.counts["failed"] == 0)
        #expect(r1.newBlobs == corpus.articles)
        #expect(try scratch.archive.stats().documents == (mode == .path ? first.files : corpus.articles))
        try expectFilesArchived(scratch.archive, root: root)

        let edited = corpus.editedArticles(fraction: 0.1)
        #expect(edited.count == 40)
        try corpus.write(to: root) { edited.contains($0) ? 2 : 1 }
        let r2 = try scratch.archive.ingest(paths: [root], options: options)
        #expect(r2.counts["version"] == edited.count)
        #expect(r2.counts["unchanged"] == first.files - edited.count)
        #expect(r2.newBlobs == edited.count)
        try expectFilesArchived(scratch.archive, root: root)
        // Each new version is stored against its parent, so costs far less than a full copy.
        #expect(r2.storedBytes * 4 < r1.storedBytes / corpus.articles * edited.count)

        let stats = try scratch.archive.stats()
        let r3 = try scratch.archive.ingest(paths: [root], options: options)
        #expect(r3.counts["unchanged"] == first.files)
        #expect(r3.newBlobs == 0)
        let after = try scratch.archive.stats()
        #expect(after.blobs == stats.blobs && after.versions == stats.versions && after.documents == stats.documents)
        #expect(after.sightings == stats.sightings + first.files)
        #expect(try scratch.archive.chainProblems().isEmpty)
    }

    @Test("A then B then A gives three versions, the third pointing at the first blob")
    func returnToOlderBytes() throws {
        let scratch = try Scratch()
        let dir = scratch.dir
        var blobs: [String] = []
        for text in ["first text\n", "second text\n", "first text\n"] {
            try dir.write("in/article.txt", text)
            let report = try scratch.archive.ingest(paths: [dir.file("in")], options: quietOptions())
            blobs.append(SHA256.hash(text).hex)
            #expect(report.counts["failed"] == 0)
        }
        let log = try scratch.archive.log(key: "article.txt")
        #expect(log.map(\.blob) == blobs)
        #expect(log[2].parents == [log[1].hash] && log[1].parents == [log[0].hash])
        #expect(log[2].hash != log[0].hash)
        #expect(log[2].isCurrent)
        let meanings = try scratch.archive.sightings(blob: blobs[0]).map(\.meaning)
        #expect(meanings == ["new", "version"])
        #expect(try scratch.archive.stats().blobs == 2)
    }

    @Test("empty, Latin-1 and binary files and odd names are archived byte-exactly")
    func oddFiles() throws {
        let scratch = try Scratch()
        let dir = scratch.dir
        let latin1: [UInt8] = Array("Caf".utf8) + [0xE9, 0x20, 0x6E, 0xE9, 0x0A] // "Café né" in ISO-8859-1
        var rng = SeededRandom(seed: 4)
        let binary = rng.bytes(3000)
        try dir.write("in/empty.txt", [UInt8]())
        try dir.write("in/latin1.txt", latin1)
        try dir.write("in/binary.bin", binary)
        try dir.write("in/name with spaces.txt", "spaces\n")
        try dir.write("in/new\nline.txt", "newline\n")
        // A name that is not UTF-8: "caf\xE9.txt".
        let rawName: [UInt8] = Array(dir.file("in/").utf8) + Array("caf".utf8) + [0xE9] + Array(".txt".utf8)
        var cPath = rawName + [0]
        let handle = cPath.withUnsafeMutableBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { fopen($0.baseAddress!, "wb") }
        }
        let rawContent = Array("not utf-8 name\n".utf8)
        fwrite(rawContent, 1, rawContent.count, try #require(handle))
        fclose(handle)

        let report = try scratch.archive.ingest(paths: [dir.file("in")], options: quietOptions())
        #expect(report.counts["failed"] == 0)
        #expect(report.files == 6)
        for (name, bytes) in [("empty.txt", [UInt8]()), ("latin1.txt", latin1), ("binary.bin", binary),
                              ("name with spaces.txt", Array("spaces\n".utf8)), ("new\nline.txt", Array("newline\n".utf8)),
                              ("caf%E9.txt", rawContent)] {
            let docs = try scratch.archive.log(key: name)
            #expect(docs.count == 1, "\(name)")
            #expect(try scratch.archive.blobBytes(hash: docs[0].blob) == bytes, "\(name)")
        }
        // The exact bytes of the non-UTF-8 name are kept.
        let db = try Database(path: scratch.path, mode: .readOnly)
        let raw = try db.firstRow("SELECT s.path_raw FROM sightings s JOIN paths p ON p.id = s.path WHERE p.path = 'caf%E9.txt'") { $0.blob(0) }
        #expect(raw == Array("caf".utf8) + [0xE9] + Array(".txt".utf8))
        #expect(try scratch.archive.blobInfo(hash: SHA256.hash([UInt8]()).hex)?.size == 0)
    }

    @Test("an input that does not exist is refused before anything is recorded")
    func missingInput() throws {
        let scratch = try Scratch()
        try scratch.dir.write("in/a.txt", "a\n")
        let before = try scratch.archive.stats()
        #expect(throws: QuireError.self) {
            try scratch.archive.ingest(paths: [scratch.dir.file("in"), scratch.dir.file("vanished.txt")], options: quietOptions())
        }
        let after = try scratch.archive.stats()
        #expect(after.batches == before.batches && after.sightings == before.sightings && after.documents == 0)
    }

    @Test("files that cannot be read become failed sightings and the rest of the batch is archived")
    func unreadableFiles() throws {
        let scratch = try Scratch()
        let dir = scratch.dir
        try dir.write("in/a.txt", "a\n")
        try dir.write("in/z.txt", "z\n")
        #expect(mkfifo(dir.file("in/m-fifo"), 0o644) == 0)
        // A file whose read fails (EIO): /proc/self/mem, reached through a followed symbolic link.
        try FileManager.default.createSymbolicLink(atPath: dir.file("in/n-unreadable"), withDestinationPath: "/proc/self/mem")
        var options = quietOptions()
        options.followSymlinks = true
        let report = try scratch.archive.ingest(paths: [dir.file("in")], options: options)
        #expect(report.counts["new"] == 2)
        #expect(report.counts["failed"] == 2)
        let reasons = Dictionary(uniqueKeysWithValues: report.failures.map { ($0.path, $0.reason) })
        #expect(reasons["m-fifo"]?.contains("FIFO") == true)
        #expect(reasons["n-unreadable"]?.contains("read failed") == true)
        let sightings = try scratch.archive.sightings(batch: report.batch)
        #expect(sightings.map(\.meaning) == ["new", "failed", "failed", "new"])
        #expect(sightings.filter { $0.meaning == "failed" }.allSatisfy { $0.error != nil && $0.blob == nil })
    }

    @Test("hidden files and symbolic links are skipped unless asked for")
    func hiddenAndLinks() throws {
        let scratch = try Scratch()
        let dir = scratch.dir
        try dir.write("in/.hidden.txt", "hidden\n")
        try dir.write("in/.git/config", "x\n")
        try dir.write("in/visible.txt", "visible\n")
        try FileManager.default.createSymbolicLink(atPath: dir.file("in/link.txt"), withDestinationPath: "visible.txt")
        let r1 = try scratch.archive.ingest(paths: [dir.file("in")], options: quietOptions())
        #expect(r1.files == 1)
        #expect(r1.skipped.map(\.path) == ["link.txt"])
        var options = quietOptions()
        options.includeHidden = true
        options.followSymlinks = true
        let r2 = try scratch.archive.ingest(paths: [dir.file("in")], options: options)
        #expect(r2.files == 4)
        #expect(r2.counts["new"] == 3 && r2.alreadyStored == 1 && r2.counts["unchanged"] == 1)
    }

    @Test("paths are normalized lexically and names that are not UTF-8 are escaped reversibly")
    func pathText() {
        func norm(_ s: String) -> String { String(decoding: PathText.normalize(Array(s.utf8)), as: UTF8.self) }
        #expect(norm("./in//sub/../sub/a.txt") == "in/sub/a.txt")
        #expect(norm("/data/./news/") == "/data/news")
        #expect(norm("../up/a.txt") == "../up/a.txt")
        #expect(norm("/../a") == "/a")
        #expect(norm(".") == ".")
        #expect(PathText.display(Array("plain 100%.txt".utf8)) == ("plain 100%.txt", true))
        #expect(PathText.display(Array("caf".utf8) + [0xE9] + Array("%.txt".utf8)) == ("caf%E9%25.txt", false))
        #expect(PathText.display(Array("é".utf8) + [0xFF]) == ("é%FF", false))
    }

    @Test("large files stream through in pieces; incompressible ones are stored raw")
    func largeFiles() throws {
        let scratch = try Scratch()
        var rng = SeededRandom(seed: 8)
        let random = rng.bytes(3 * 1024 * 1024 + 5)
        var text = [UInt8]()
        while text.count < 5 * 1024 * 1024 { text += Array("The council met again on Tuesday to discuss the ferry budget. ".utf8) + rng.bytes(4) }
        try scratch.dir.write("in/random.bin", random)
        try scratch.dir.write("in/text.txt", text)
        var options = quietOptions()
        options.memoryFileLimit = 512 * 1024
        let report = try scratch.archive.ingest(paths: [scratch.dir.file("in")], options: options)
        #expect(report.counts["new"] == 2)
        let randomInfo = try #require(try scratch.archive.blobInfo(hash: SHA256.hash(random).hex))
        #expect(randomInfo.encoding == "raw" && randomInfo.storedSize == random.count)
        let textInfo = try #require(try scratch.archive.blobInfo(hash: SHA256.hash(text).hex))
        #expect(textInfo.encoding == "zlib" && textInfo.storedSize < text.count / 4)
        #expect(try scratch.archive.blobBytes(hash: randomInfo.hash) == random)
        #expect(try scratch.archive.blobBytes(hash: textInfo.hash) == text)
        let db = try Database(path: scratch.path, mode: .readOnly)
        #expect(try db.int("SELECT count(*) FROM blob_chunks c JOIN blobs b ON b.id = c.blob WHERE b.hash = ?", randomInfo.hash) == 4)
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.dir.path).filter { $0.contains(".ingest-") }.isEmpty)
    }

    @Test("a long edit history keeps base chains at most 15 deep and every version readable")
    func chainBound() throws {
        let scratch = try Scratch()
        var text = "Headline\n\nFirst paragraph of a long story about the harbour.\n"
        var hashes: [String] = []
        for i in 0..<40 {
            text += "Update \(i): another sentence was added to the story.\n"
            try scratch.dir.write("in/story.txt", text)
            _ = try scratch.archive.ingest(paths: [scratch.dir.file("in")], options: quietOptions())
            hashes.append(SHA256.hash(text).hex)
        }
        var depths: [Int] = []
        for (i, hash) in hashes.enumerated() {
            let info = try #require(try scratch.archive.blobInfo(hash: hash))
            depths.append(info.depth)
            #expect(info.depth <= BlobEncoding.maxDepth)
            #expect(try scratch.archive.blobBytes(hash: hash).count == info.size, "version \(i)")
        }
        #expect(depths.max() == BlobEncoding.maxDepth)
        #expect(depths.filter { $0 == 0 }.count >= 2) // the chain restarts
    }

    @Test("new documents from one site are compressed against a sibling, one level deep, and read back exactly")
    func siblingBases() throws {
        let scratch = try Scratch()
        let template = (0..<40).map { "<nav>Home | Local | Politics | Business | Sport | Opinion | Subscribe \($0)</nav>" }.joined(separator: "\n")
        var texts: [String: String] = [:]
        for i in 0..<30 {
            texts["site/page-\(i).html"] = "<html><head><title>Story \(i)</title></head><body>\n\(template)\n<p>Story number \(i) says \(i * 7919).</p></body></html>\n"
        }
        for (name, text) in texts { try scratch.dir.write("in/" + name, text) }
        _ = try scratch.archive.ingest(paths: [scratch.dir.file("in")], options: quietOptions())
        var based = 0
        for (_, text) in texts {
            let info = try #require(try scratch.archive.blobInfo(hash: SHA256.hash(text).hex))
            #expect(info.depth <= 1)
            if info.base != nil { based += 1; #expect(info.storedSize < 200) }
            #expect(try scratch.archive.blobBytes(hash: info.hash) == Array(text.utf8))
        }
        #expect(based == 29)
    }

    @Test("the visible state rebuilt from the events equals the state ingest made")
    func rebuildFromEvents() throws {
        let scratch = try Scratch()
        let corpus = NewsCorpus(articles: 120, seed: 5)
        let root = scratch.dir.file("corpus")
        try corpus.write(to: root)
        _ = try scratch.archive.ingest(paths: [root], options: quietOptions())
        try corpus.write(to: root) { $0 % 3 == 0 ? 2 : 1 }
        _ = try scratch.archive.ingest(paths: [root, repositoryRoot + "/Archives/samples/day-1"], options: quietOptions())
        let before = try scratch.archive.visibleState()
        try scratch.archive.rebuildDerivedState()
        let after = try scratch.archive.visibleState()
        #expect(before == after)
        #expect(!before.isEmpty)
        #expect(try scratch.archive.chainProblems().isEmpty)
    }

    @Test("hashing and compressing on several threads gives the same archive as one thread")
    func threadsAgree() throws {
        let corpus = NewsCorpus(articles: 150, seed: 9)
        var states: [String] = []
        for threads in [1, 4] {
            let scratch = try Scratch()
            let root = scratch.dir.file("corpus")
            try corpus.write(to: root)
            var options = quietOptions(label: "same")
            options.threads = threads
            _ = try scratch.archive.ingest(paths: [root], options: options)
            try corpus.write(to: root) { $0 % 2 == 0 ? 3 : 1 }
            _ = try scratch.archive.ingest(paths: [root], options: options)
            let db = try Database(path: scratch.path, mode: .readOnly)
            states.append(try db.rows("SELECT b.hash, b.encoding, b.stored_size, base.hash FROM blobs b LEFT JOIN blobs base ON base.id = b.base ORDER BY b.hash") {
                "\($0.text(0)) \($0.text(1)) \($0.int(2)) \($0.optionalText(3) ?? "-")"
            }.joined(separator: "\n"))
        }
        #expect(states[0] == states[1])
    }
}
