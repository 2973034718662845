import Foundation
import Testing

/// The real tools the WARC tests check Quire against (warcio, cdxj-indexer, wacz, pywb), and the
/// rule for when one is missing: the test prints `skipped: <why>` and ends as cancelled, so it
/// never counts as a pass. `.ci/run` installs them from PyPI.

/// Ends the running test as skipped unless `check` (a command that must succeed) runs.
public func requireTool(_ name: String, check: [String]) throws {
    let result = try? runProcess(check[0], Array(check.dropFirst()))
    guard let result, result.status == 0 else {
        let why = result.map { "\(name) does not run (\(check.joined(separator: " ")): exit \($0.status) \($0.stderr.prefix(200)))" }
            ?? "\(name) is not installed"
        print("skipped: \(why)")
        try Test.cancel("skipped: \(why)")
    }
}

/// warcio (the reference WARC reader), as a Python module.
public func requireWarcio() throws { try requireTool("warcio", check: ["python3", "-c", "import warcio"]) }

/// Runs a Python script (text) with arguments; the script gets them as `sys.argv[1:]`.
public func runPython(_ script: String, _ arguments: [String], stdin: [UInt8]? = nil) throws -> ProcessResult {
    let file = FileManager.default.temporaryDirectory.path + "/quire-script-\(UUID().uuidString.prefix(8)).py"
    try script.write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    return try runProcess("python3", [file] + arguments, stdin: stdin)
}

/// What warcio reads in a WARC or ARC file: every record with its offset, type, target URI,
/// declared payload digest, HTTP status, and its payload's SHA-256 and size as warcio's payload
/// stream gives it (chunked transfer encoding decoded with warcio's ChunkedDataReader exactly
/// when warcio's `content_stream` would, no content decoding); for a revisit, the SHA-256 of the
/// payload it repeats when an earlier or later record of the same file holds it (by record id,
/// by digest compared by algorithm and bytes, or by target URI and date); and whether warcio read
/// the file to its end.
public struct WarcioFile: Sendable {
    public struct Record: Sendable {
        public let offset: Int
        public let type: String
        public let uri: String?
        public let digest: String?
        public let status: String?
        public let sha256: String
        public let size: Int
        /// For a revisit: the payload it repeats, when this file holds it.
        public let original: String?
        /// For a revisit whose original is not in its file: the payload it repeats, when another
        /// of the files read in the same call holds it.
        public let originalElsewhere: String?
    }
    public let path: String
    public let records: [Record]
    public let complete: Bool
    public let error: String?
}

/// Runs warcio over `paths` (see `WarcioFile`).
public func warcioRead(_ paths: [String]) throws -> [WarcioFile] {
    let result = try runPython(warcioPayloadScript, paths)
    guard result.status == 0 else { throw NSError(domain: "warcio", code: Int(result.status), userInfo: [NSLocalizedDescriptionKey: result.stderr]) }
    return try result.stdoutText.split(separator: "\n").map { line in
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        let records = (object["records"] as! [[String: Any]]).map { r in
            WarcioFile.Record(offset: r["offset"] as! Int, type: r["type"] as! String, uri: r["uri"] as? String, digest: r["digest"] as? String,
                              status: r["status"] as? String, sha256: r["sha256"] as! String, size: r["size"] as! Int,
                              original: r["original"] as? String, originalElsewhere: r["original_elsewhere"] as? String)
        }
        return WarcioFile(path: object["file"] as! String, records: records, complete: object["complete"] as! Bool, error: object["error"] as? String)
    }
}

private let warcioPayloadScript = #"""
import sys, json, hashlib, base64, binascii, re
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader

SIZES = {'sha1': 20, 'sha256': 32, 'sha512': 64, 'md5': 16}
def norm(d):
    """A digest as (algorithm, bytes): label spelling and base32/hex/base64 do not matter."""
    if not d or ':' not in d: return None
    label, value = d.strip().split(':', 1)
    alg = label.lower().replace('-', '').replace('_', '')
    value = value.strip()
    n = SIZES.get(alg)
    for decode in (lambda v: binascii.unhexlify(v), lambda v: base64.b32decode(v.upper() + '=' * (-len(v) % 8)), lambda v: base64.b64decode(v + '=' * (-len(v) % 4))):
        try:
            b = decode(value)
            if n is None or len(b) == n: return (alg, b)
        except Exception:
            pass
    return (alg, value.encode())

def rid(s):
    s = (s or '').strip()
    return s[1:-1] if s.startswith('<') and s.endswith('>') else s

def digits(d):
    return re.sub(r'[^0-9]', '', d or '')[:14]

outs = []
for path in sys.argv[1:]:
    out = {"file": path, "records": [], "complete": True}
    try:
        with open(path, 'rb') as f:
            it = ArchiveIterator(f)
            for rec in it:
                h = rec.rec_headers
                r = {"offset": it.offset, "type": rec.rec_type,
                     "uri": h.get_header('WARC-Target-URI') or h.get_header('uri'),
                     "digest": h.get_header('WARC-Payload-Digest'),
                     "id": h.get_header('WARC-Record-ID'), "date": h.get_header('WARC-Date'),
                     "refers_to": h.get_header('WARC-Refers-To'),
                     "refers_to_uri": h.get_header('WARC-Refers-To-Target-URI'),
                     "refers_to_date": h.get_header('WARC-Refers-To-Date')}
                stream = rec.raw_stream
                if rec.http_headers is not None:
                    r["status"] = rec.http_headers.get_statuscode()
                    if rec.http_headers.get_header('transfer-encoding') == 'chunked':
                        stream = ChunkedDataReader(rec.raw_stream, decomp_type=None)
                data = stream.read()
                r["sha256"] = hashlib.sha256(data).hexdigest()
                r["size"] = len(data)
                out["records"].append(r)
    except Exception as e:
        out["complete"] = False
        out["error"] = repr(e)[:300]
    outs.append(out)

def find(r, payloads):
    found = None
    if r["refers_to"]:
        found = next((p for p in payloads if rid(p["id"]) == rid(r["refers_to"])), None)
    if found is None and norm(r["digest"]):
        want = norm(r["digest"])
        found = next((p for p in payloads if norm(p["digest"]) == want or want == ('sha256', bytes.fromhex(p["sha256"]))), None)
    if found is None and r["refers_to_uri"] and r["refers_to_date"]:
        found = next((p for p in payloads if p["uri"] == r["refers_to_uri"].strip('<>') and digits(p["date"]) == digits(r["refers_to_date"])), None)
    return found

everywhere = [r for out in outs for r in out["records"] if r["type"] in ("response", "resource")]
for out in outs:
    payloads = [r for r in out["records"] if r["type"] in ("response", "resource")]
    for r in out["records"]:
        if r["type"] != "revisit": continue
        found = find(r, payloads)
        r["original"] = found["sha256"] if found else None
        if found is None:
            other = find(r, everywhere)
            r["original_elsewhere"] = other["sha256"] if other else None
for out in outs:
    for r in out["records"]:
        for k in ("id", "date", "refers_to", "refers_to_uri", "refers_to_date"): r.pop(k, None)
    print(json.dumps(out))
"""#
