#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport

/// A Quire export replayed by a real replay server: pywb's `wayback`, started by the test on
/// 127.0.0.1, serving a collection made with `wb-manager` from `quire export warc`.
@Suite("CLI replay with pywb")
struct CLIReplayTests {
    let corpora = ["warc", "warc-real"].map { sharedDirectory + "/corpora/" + $0 }

    /// A TCP port nobody listens on now (the kernel's pick for port 0).
    func freePort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test("every http(s) capture (but redirects) fetched from pywb in id_ mode at its timestamp has Quire's bytes and its original Content-Type")
    func replay() throws {
        try requireTool("pywb", check: ["wb-manager", "--help"])
        try requireTool("pywb", check: ["wayback", "--help"])
        let dir = TemporaryDirectory("cli-replay")
        let a = dir.file("a.quire")
        // Exit 1: the corpora hold revisits of other files' payloads and damaged files.
        for corpus in corpora { #expect(try quire(["-A", a, "ingest", "-q", corpus]).status <= 1) }
        let warc = dir.file("quire-export.warc.gz"), index = dir.file("quire-export.cdxj")
        let export = try quire(["-A", a, "export", "warc", warc, "--cdxj", index])
        #expect(export.status == 0, "\(export.stderr)")

        let site = dir.file("pywb")
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        #expect(try runProcess("wb-manager", ["init", "quire"], currentDirectory: site).status == 0)
        let add = try runProcess("wb-manager", ["add", "quire", warc], currentDirectory: site)
        #expect(add.status == 0, "\(add.stderr)")

        guard let port = freePort() else {
            print("skipped: no free port on 127.0.0.1")
            try Test.cancel("skipped: no free port on 127.0.0.1")
        }
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["wayback", "-p", String(port), "-b", "127.0.0.1"]
        server.currentDirectoryURL = URL(fileURLWithPath: site)
        // Its log goes to a file: a pipe nobody reads would fill and stop the server.
        FileManager.default.createFile(atPath: dir.file("wayback.log"), contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.file("wayback.log")))
        server.standardOutput = log
        server.standardError = log
        try server.run()
        defer {
            // wayback (gevent) ignores SIGTERM.
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }

        // The captures to fetch: http(s), one capture per URL and second (several at one second
        // would make the answer ambiguous), each with the payload digest its record names.
        let lines = try String(contentsOfFile: index, encoding: .utf8).split(separator: "\n")
        var byCapture: [String: [[String: Any]]] = [:]
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 2)
            guard parts.count == 3, let object = try JSONSerialization.jsonObject(with: Data(parts[2].utf8)) as? [String: Any],
                  let url = object["url"] as? String, url.hasPrefix("http://") || url.hasPrefix("https://") else { continue }
            var entry = object
            entry["ts"] = String(parts[1])
            // pywb finds a capture by SURT key (http and https share one) and second.
            byCapture[String(parts[1]) + " " + String(parts[0]), default: []].append(entry)
        }
        // Captures with an HTTP status, but not redirects: pywb serves the next capture instead
        // of one that redirects to its own URL (http to https, say), by design.
        let unique = byCapture.values.filter { $0.count == 1 }.map { $0[0] }.filter { entry in
            guard let status = entry["status"] as? String, let code = Int(status) else { return false }
            return !(300..<400).contains(code)
        }
        // The Content-Type each capture had: from Quire's record of it.
        let types = try runProcess("sqlite3", [a, """
            SELECT u.value || ' ' || d.value || ' ' || coalesce(t.value, '') FROM supplied_fields u
            JOIN supplied_fields d ON d.sighting = u.sighting AND d.name = 'warc_date'
            LEFT JOIN supplied_fields t ON t.sighting = u.sighting AND t.name = 'http:content-type'
            WHERE u.name = 'url';
            """]).stdoutText
        var contentType: [String: String] = [:]
        for row in types.split(separator: "\n") {
            let parts = row.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            contentType[String(parts[1].filter(\.isNumber).prefix(14)) + " " + String(parts[0])] = String(parts[2])
        }
        let requests = unique.map { ["url": $0["url"] as! String, "ts": $0["ts"] as! String, "digest": $0["digest"] as! String] }

        let fetch = try runPython("""
            import sys, json, time, hashlib, http.client, urllib.parse
            port = int(sys.argv[1])
            captures = json.loads(sys.stdin.read())
            for _ in range(300):
                try:
                    c = http.client.HTTPConnection('127.0.0.1', port, timeout=5); c.request('GET', '/'); c.getresponse().read(); break
                except Exception:
                    time.sleep(0.1)
            else:
                print(json.dumps({'error': 'wayback did not answer'})); sys.exit(0)
            for cap in captures:
                c = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
                path = '/quire/' + cap['ts'] + 'id_/' + cap['url']
                try:
                    c.request('GET', urllib.parse.quote(path, safe="/:?&=%;,+@!$'()*~#"), headers={'Accept-Encoding': 'gzip, deflate, br'})
                    r = c.getresponse()
                    body = r.read()
                except Exception as e:
                    print(json.dumps({'url': cap['url'], 'ts': cap['ts'], 'digest': cap['digest'], 'status': 0, 'sha256': repr(e), 'type': None}))
                    continue
                print(json.dumps({'url': cap['url'], 'ts': cap['ts'], 'digest': cap['digest'], 'status': r.status, 'size': len(body),
                                  'sha256': 'sha256:' + hashlib.sha256(body).hexdigest(), 'type': r.getheader('Content-Type'),
                                  'memento': r.getheader('Memento-Datetime')}))
            """, [String(port)], stdin: [UInt8](try JSONSerialization.data(withJSONObject: requests)))
        let answers = fetch.stdoutText.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        if let error = answers.first?["error"] as? String {
            print("skipped: pywb's wayback did not start: \(error)")
            try Test.cancel("skipped: pywb's wayback did not start")
        }
        #expect(answers.count == requests.count, "\(fetch.stderr.suffix(2000))")
        var sameBytes = 0, sameType = 0
        for answer in answers {
            let what = "\(answer["ts"]!) \(answer["url"]!)"
            if answer["sha256"] as? String == answer["digest"] as? String { sameBytes += 1 } else {
                Issue.record("\(what): pywb served other bytes (status \(answer["status"]!))")
            }
            // An empty body (a 204, say) has no type to serve; pywb leaves it out.
            if let expected = contentType[what], !expected.isEmpty, answer["size"] as? Int != 0 {
                if answer["type"] as? String == expected { sameType += 1 } else {
                    Issue.record("\(what): Content-Type \(answer["type"] ?? "none"), captured \(expected)")
                }
            }
        }
        print("pywb replay: \(answers.count) captures fetched in id_ mode, \(sameBytes) with Quire's bytes, \(sameType) with the captured Content-Type")
        #expect(answers.count > 300 && sameType > 300)
    }

    @Test("export cdxj and wacz from the command line; export cdxj without --warc is a usage error")
    func commands() throws {
        let dir = TemporaryDirectory("cli-replay")
        let a = dir.file("a.quire")
        #expect(try quire(["-A", a, "ingest", "-q", sharedDirectory + "/corpora/warc-real/repro"]).status == 0)
        let usage = try quire(["-A", a, "export", "cdxj", dir.file("x.cdxj")])
        #expect(usage.status == 64 && usage.stderr.contains("--warc"), "\(usage.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.cdxj")))
        let cdxj = try quire(["-A", a, "export", "cdxj", dir.file("x.cdxj"), "--warc", dir.file("x.warc.gz"), "--json"])
        #expect(cdxj.status == 0, "\(cdxj.stderr)")
        let lines = try String(contentsOfFile: dir.file("x.cdxj"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 10 && lines.allSatisfy { $0.contains("\"filename\": \"x.warc.gz\"") }, "\(lines)")
        #expect(lines == lines.sorted())
        let wacz = try quire(["-A", a, "export", "wacz", dir.file("x.wacz"), "--title", "Repro"])
        #expect(wacz.status == 0 && wacz.stdoutText.contains("pages"), "\(wacz.stderr)")
        try requireTool("wacz", check: ["wacz", "--help"])
        #expect(try runProcess("wacz", ["validate", "-f", dir.file("x.wacz")]).status == 0)
    }
}
