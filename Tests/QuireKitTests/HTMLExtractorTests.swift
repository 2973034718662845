import Testing
@testable import QuireKit

/// Each source the HTML extractors read, on a small hand-written page.
@Suite("HTML extractors")
struct HTMLExtractorTests {
    private func extract(_ page: String) -> ArticleMetadata { MetadataExtractor.extract(Array(page.utf8)) }
    private func extractor(_ m: ArticleMetadata, _ name: String) -> String? { m.fields.first { $0.name == name }?.extractor }

    @Test("JSON-LD: Yoast's @graph with the author as an @id reference to a Person")
    func jsonLDAuthorReference() {
        let m = extract("""
            <html><head><script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebPage","@id":"https://x.example/a/#webpage","datePublished":"2021-11-19T10:13:50+01:00"},
              {"@type":"Article","@id":"https://x.example/a/#article","isPartOf":{"@id":"https://x.example/a/#webpage"},
               "author":{"@id":"https://x.example/#/schema/person/1"},"headline":"Storm closes the coast road"},
              {"@type":["Person","Organization"],"@id":"https://x.example/#/schema/person/1","name":"Ana Ruiz"}]}</script></head><body></body></html>
            """)
        #expect(m.values("author") == ["Ana Ruiz"])
        #expect(m.value("published") == "2021-11-19T10:13:50+01:00")  // from the WebPage: no Article date
        #expect(extractor(m, "published") == "html-jsonld/2")
    }

    @Test("JSON-LD with a raw line break in a string, in an HTML comment, and without a script type")
    func lenientJSONLD() {
        let broken = "<html><head><script type=\"application/ld+json\"><!--\n{\"@type\":\"NewsArticle\",\"headline\":\"Line\nbreak\",\"datePublished\":\"2022-01-25\",}\n--></script></head></html>"
        #expect(extract(broken).value("title") == "Line break")
        #expect(extract(broken).value("published") == "2022-01-25")
        let untyped = "<html><head><script>{\"@context\": \"https://schema.org\", \"@type\": \"NewsArticle\", \"datePublished\": \"2022-01-28T06:00:00+01:00\"}</script></head></html>"
        #expect(extract(untyped).value("published") == "2022-01-28T06:00:00+01:00")
    }

    @Test("dates from meta names beyond Open Graph: dcterms, dc.date.issued, publication_date, RDFa")
    func metaDates() {
        for key in ["dcterms.created", "dc.date.issued", "publication_date", "og:article:published_time", "sw-pubdate", "DC.date"] {
            let m = extract("<html><head><meta name=\"\(key)\" content=\"2021-11-05\"></head><body></body></html>")
            #expect(m.value("published") == "2021-11-05", "\(key)")
            #expect(extractor(m, "published") == "html-meta/2", "\(key)")
        }
        let rdfa = extract("<html><body><p class=\"submitted\"><span property=\"dc:date dc:created\" content=\"2019-07-07T18:44:31+02:00\"></span></p></body></html>")
        #expect(rdfa.value("published") == "2019-07-07T18:44:31+02:00")
    }

    @Test("dates from <time datetime>, itemprop=datePublished and hAtom classes")
    func markupDates() {
        var m = extract("<html><body><article><h1>T</h1><time class=\"entry-date\" datetime=\"2014-01-27T19:02:50+00:00\" pubdate>27. Januar 2014</time></article></body></html>")
        #expect(m.value("published") == "2014-01-27T19:02:50+00:00")
        #expect(extractor(m, "published") == "html-time/1")
        m = extract("<html><body><span itemprop=\"datePublished\" content=\"2020-05-07\">7 mai</span><span itemprop=\"dateModified\">8 mai 2020</span></body></html>")
        #expect(m.value("published") == "2020-05-07" && m.value("modified") == "2020-05-08")
        m = extract("<html><body><div class=\"hentry\"><span class=\"updated\" title=\"2013-04-04T18:52:11+00:00\"></span><p>Text.</p></div></body></html>")
        #expect(m.value("modified") == "2013-04-04T18:52:11+00:00")
        #expect(m.value("published") == "2013-04-04T18:52:11+00:00")  // the only date the page gives
        // A <time> in a list of related articles is not the article's.
        m = extract("<html><body><h1>Headline</h1><p>Text without a date.</p><aside><time datetime=\"2001-01-01\">old</time></aside></body></html>")
        #expect(m.value("published") == nil)
    }

    @Test("dates in the URL's path and in the visible text, in other languages")
    func urlAndTextDates() {
        var m = extract("<html><head><link rel=\"canonical\" href=\"https://x.example/2019/10/16/story/\"></head><body><p>No date in the text.</p></body></html>")
        #expect(m.value("published") == "2019-10-16" && extractor(m, "published") == "html-url/1")
        m = extract("<html><body><h1>Schwimmen</h1><div class=\"artikel-datum\">Freitag, 5. Juni 2015</div><p>Text.</p></body></html>")
        #expect(m.value("published") == "2015-06-05" && extractor(m, "published") == "html-text/1")
        m = extract("<html><body><h3>21.01.2022</h3><h1>Jahresbericht</h1><p>Der Bericht erschien.</p></body></html>")
        #expect(m.value("published") == "2022-01-21")
        m = extract("<html><body><h1>Jam</h1><p class=\"byline\">Posted on December 6, 2017 by Regan</p><p>Text.</p></body></html>")
        #expect(m.value("published") == "2017-12-06")
        // A value that is no date is not given at all (never kept verbatim).
        m = extract("<html><head><meta property=\"article:published_time\" content=\"soon\"></head><body></body></html>")
        #expect(m.value("published") == nil)
    }

    @Test("meta author lists are split; outlets, roles and desks are dropped")
    func metaAuthors() {
        var m = extract("<html><head><meta property=\"og:site_name\" content=\"CNN\"><meta name=\"author\" content=\"Rob Picheta, CNN\"></head></html>")
        #expect(m.values("author") == ["Rob Picheta"])
        m = extract("<html><head><meta name=\"author\" content=\"By Ana Ruiz and Li Wei\"></head></html>")
        #expect(m.values("author") == ["Ana Ruiz", "Li Wei"])
        m = extract("<html><head><meta name=\"author\" content=\"bergportal GmbH\"></head></html>")
        #expect(m.values("author") == [])
        m = extract("<html><head><meta property=\"og:url\" content=\"https://www.automobilwoche.de/a\"><meta name=\"author\" content=\"Automobilwoche\"></head></html>")
        #expect(m.values("author") == [])
        // A page may declare a handle as its author.
        m = extract("<html><head><meta name=\"author\" content=\"jancak\"></head></html>")
        #expect(m.values("author") == ["jancak"])
        m = extract("<html><head><meta name=\"twitter:label1\" content=\"Verfasst von\"><meta name=\"twitter:data1\" content=\"Kathrin Führes\"></head></html>")
        #expect(m.values("author") == ["Kathrin Führes"])
    }

    @Test("visible bylines: By/Von/Par/Por/Di, class=author, rel=author, itemprop=author")
    func visibleBylines() {
        let lines = ["By Jane Roe", "Von Jane Roe", "Par Jane Roe", "Por Jane Roe", "Di Jane Roe"]
        for line in lines {
            let m = extract("<html><body><article><h1>Headline</h1><p>\(line)</p><p>The story begins here, and it goes on.</p></article></body></html>")
            #expect(m.values("author") == ["Jane Roe"], "\(line)")
            #expect(extractor(m, "author") == "html-byline/1")
        }
        var m = extract("<html><body><h1>H</h1><span class=\"author-name\">Jane Roe</span><p>Text.</p></body></html>")
        #expect(m.values("author") == ["Jane Roe"])
        m = extract("<html><body><h1>H</h1><a rel=\"author\" href=\"/u/1\">Jane Roe</a><p>Text.</p></body></html>")
        #expect(m.values("author") == ["Jane Roe"])
        m = extract("<html><body><footer class=\"post-footer\"><span itemprop=\"author\"><span itemprop=\"name\">T. V. Raman</span></span></footer></body></html>")
        #expect(m.values("author") == ["T. V. Raman"])
        // Not bylines: a photo credit, a label alone, a sentence with "von" in it.
        m = extract("<html><body><h1>H</h1><p class=\"credit\">Foto: Jane Roe</p><p>Ein Tag von Einheimischen und Gästen.</p></body></html>")
        #expect(m.values("author") == [])
    }

    @Test("title: JSON-LD headline, then Open Graph, then the document <title>, then <h1>")
    func titles() {
        var m = extract("<html><head><title>Doc title | Site</title></head><body><h1>Visible</h1></body></html>")
        #expect(m.value("title") == "Doc title | Site")
        m = extract("<html><head></head><body><h1>Visible headline</h1></body></html>")
        #expect(m.value("title") == "Visible headline")
    }
}
