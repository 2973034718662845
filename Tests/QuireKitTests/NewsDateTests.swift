import Testing
@testable import QuireKit

@Suite("News dates")
struct NewsDateTests {
    @Test("numeric and written dates in many languages become ISO 8601, keeping only what was given")
    func forms() {
        let cases: [(String, String?)] = [
            // numeric
            ("26.03.2024", "2024-03-26"), ("Stand: 12.11.2021", "2021-11-12"), ("5. 6. 2015", "2015-06-05"), ("26/03/2024", "2024-03-26"),
            ("2024/03/26", "2024-03-26"), ("2024.03.26", "2024-03-26"), ("26-03-2024", "2024-03-26"), ("26.03.24", "2024-03-26"),
            ("3/26/2024", "2024-03-26"), ("Di., 25.01.2022 - 14:45", "2022-01-25T14:45"), ("11.11.2021", "2021-11-11"),
            // written
            ("Tuesday, March 26th, 2024", "2024-03-26"), ("Tue, 26 Mar 2024 14:05:00 +0000", "2024-03-26T14:05:00+00:00"),
            ("26. März 2024 um 14.45 Uhr", "2024-03-26T14:45"), ("Freitag, 5. Juni 2015", "2015-06-05"), ("25. Jänner 2022", "2022-01-25"),
            ("le 7 mai 2020 - 12:38", "2020-05-07T12:38"), ("jeudi 13 juin 2019", "2019-06-13"), ("1er mars 2024", "2024-03-01"),
            ("3 de marzo de 2024", "2024-03-03"), ("12 dicembre 2023", "2023-12-12"), ("3 de março de 2024", "2024-03-03"),
            ("26 maart 2024", "2024-03-26"), ("26 marca 2024", "2024-03-26"), ("26 марта 2024", "2024-03-26"), ("5 Ekim 2021", "2021-10-05"),
            ("2024. március 26.", "2024-03-26"), ("2024年3月26日", "2024-03-26"), ("2024년 3월 26일", "2024-03-26"),
            ("Nov 23 16:00:00 EDT 2014", "2014-11-23T16:00:00"), ("Published 5 May 2024 3:15 pm", "2024-05-05T15:15"),
            ("March 26, 2024 at 8:05 a.m.", "2024-03-26T08:05"),
            // not dates
            ("version 1.2.2024.5", nil), ("call 030 12.34.5678", nil), ("31.02.2024", nil), ("13/13/2024", nil), ("March 2024", nil),
            ("1.1.1850", nil), ("no date here", nil), ("14.45 people", nil),
        ]
        for (input, expected) in cases { #expect(NewsDate.find(in: input) == expected, "\(input)") }
    }

    @Test("American pages read 3/4/2024 as March 4; others as 3 April")
    func monthFirst() {
        #expect(NewsDate.find(in: "3/4/2024", monthFirst: true) == "2024-03-04")
        #expect(NewsDate.find(in: "3/4/2024") == "2024-04-03")
        #expect(NewsDate.find(in: "13/4/2024", monthFirst: true) == "2024-04-13")
    }

    @Test("structured values: ISO 8601 basic and extended, Unix timestamps, written forms")
    func values() {
        #expect(NewsDate.parseValue("20240326") == "2024-03-26")
        #expect(NewsDate.parseValue("20240326T140500Z") == "2024-03-26T14:05:00Z")
        #expect(NewsDate.parseValue("1711461900") == "2024-03-26T14:05:00Z")
        #expect(NewsDate.parseValue("1711461900000") == "2024-03-26T14:05:00Z")
        #expect(NewsDate.parseValue("2021-11-19T10:13:50+0100") == "2021-11-19T10:13:50+01:00")
        #expect(NewsDate.parseValue("2021-11-04T23:00Z") == "2021-11-04T23:00Z")
        #expect(NewsDate.parseValue("2022-05-03T13:32:45.000000") == "2022-05-03T13:32:45.000000")
        #expect(NewsDate.parseValue("Mon, 02 Jan 2006 15:04:05 GMT") == "2006-01-02T15:04:05Z")
        #expect(NewsDate.parseValue("yesterday") == nil)
        #expect(NewsDate.parseValue("12345") == nil)
    }

    @Test("a date in a URL's path")
    func urlPath() {
        #expect(PublishedDate.dateInPath("https://x.example/2019/10/16/story") == "2019-10-16")
        #expect(PublishedDate.dateInPath("https://x.example/news/2022-05-04/074527.html") == "2022-05-04")
        #expect(PublishedDate.dateInPath("https://x.example/article/20211103/AGENTUR") == "2021-11-03")
        #expect(PublishedDate.dateInPath("https://x.example/2019/10/story") == nil)
        #expect(PublishedDate.dateInPath("https://x.example/id/12345678901") == nil)
        #expect(PublishedDate.dateInPath("https://2019.example/?d=2019-10-16") == nil)
    }
}
