import Foundation
import Testing
import TestSupport
@testable import QuireKit

/// SURT keys as the Internet Archive's `surt` package (which pywb and cdxj-indexer use) makes them.
@Suite("SURT")
struct SURTTests {
    static let urls = [
        "http://www.example.com/", "https://Example.COM:443/A/B/?b=2&a=1#frag", "http://example.com:8080/index.html",
        "http://www2.example.com/path//to/./x/../y/", "http://example.com", "example.com/no-scheme", "dns:example.com",
        "metadata://gnu.org/software/wget/warc/MANIFEST.txt", "http://user:pw@example.com/x", "http://example.com/a%2Fb%252F?q=%7e",
        "http://example.com/?", "http://example.com/?a", "http://example.com/?a=&b&a=1", "http://3232235777/", "http://0177.0.0.1/",
        "http://1.2.3/", "http://192.168.1.1:80/", "http://[::1]:8080/x", "http://example.com/a b?c d", "http://example.com/%E2%82%AC",
        "http://bücher.example/straße", "http://example.com/x;jsessionid=0123456789abcdef0123456789ABCDEF",
        "http://example.com/x?jsessionid=0123456789abcdef0123456789ABCDEF&b=1", "http://example.com/(a(0123456789abcdef01234567))/y.aspx",
        "http://example.com/?PHPSESSID=0123456789abcdef0123456789abcdef", "http://example.com/?cfid=1&cftoken=2&z=3",
        "HTTP://EXAMPLE.COM/UPPER?Q=V", "http://http://example.com/double", "http://https://example.com/mixed", "http:/one-slash/x",
        "ftp://ftp.example.com/pub/", "mailto:someone@example.com", "http://example.com:/empty-port", "http://...example..com./dots",
        "https://www.example.com/%7Euser/", "filedesc://file.arc", "http://example.com/#only-fragment", "http://WWW.example.com/",
        "chrome-extension://abcdef/page.html", "urn:x-wayback:1", "http://example.com/\u{7f}x", "http://example.com/a\tb",
    ]

    @Test("keys equal the surt package's for URLs of every shape")
    func againstPython() throws {
        try requireTool("surt", check: ["python3", "-c", "import surt"])
        let script = """
            import sys, json, surt
            for u in json.loads(sys.stdin.read()):
                try:
                    print(json.dumps(surt.surt(u)))
                except Exception:
                    print(json.dumps(u))
            """
        let input = try JSONSerialization.data(withJSONObject: Self.urls)
        let result = try runPython(script, [], stdin: [UInt8](input))
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try result.stdoutText.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8), options: .fragmentsAllowed) as! String }
        #expect(expected.count == Self.urls.count)
        for (url, key) in zip(Self.urls, expected) {
            #expect(SURT.key(url) == key, "\(url)")
        }
    }

    @Test("a port that is not a number or out of range keys the URL as it is (cdxj-indexer's fallback)")
    func badPort() {
        #expect(SURT.key("http://example.com:99999/") == "http://example.com:99999/")
        #expect(SURT.key("http://example.com:ab/") == "http://example.com:ab/")
    }
}
