import Testing
@testable import QuireKit

@Suite("Main text")
struct MainTextTests {
    static let story = [
        "The harbour authority closed the coast road at noon on Tuesday, after waves of up to six metres broke over the sea wall.",
        "Crews worked through the night to clear stones and debris, and engineers said the road would reopen on Friday, if the weather allows.",
        "Residents of the northern villages, who depend on the road for work and school, were offered a ferry service in the meantime.",
    ]

    static func page(chrome: Bool, ad: String = "slot-17") -> String {
        let paragraphs = story.map { "<p>\($0)</p>" }.joined(separator: "\n")
        let around = chrome ? """
            <div id="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>
            <header><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></header>
            """ : ""
        let after = chrome ? """
            <div class="share-bar"><a href="#">Share this article</a> <a href="#">Tweet</a></div>
            <div class="related-articles"><h3>Related</h3><ul><li><a href="/a">Bridge repairs begin in the valley, officials say</a></li>
            <li><a href="/b">Ferry timetable changes for the winter season</a></li></ul></div>
            <section id="comments"><div class="comment"><p>I drove there yesterday, and honestly the road was fine, nothing to see.</p></div></section>
            <footer><p>© 2024 Coastal Wire. All rights reserved. Terms, privacy, and contact information.</p></footer>
            """ : ""
        return """
            <!DOCTYPE html><html><head><title>Storm closes coast road</title></head><body>\(around)
            <main><article><h1>Storm closes coast road</h1><div class="ad" data-slot="\(ad)">Advertisement</div>
            <div class="article-body">\(paragraphs)</div></article></main>\(after)</body></html>
            """
    }

    @Test("the article's paragraphs, without navigation, share bars, related links, comments, footer or cookie banner")
    func boilerplateLeftOut() {
        let text = MetadataExtractor.extract(Array(Self.page(chrome: true).utf8)).text
        #expect(text == Self.story.joined(separator: "\n\n"))
    }

    @Test("a changed ad slot or cache-buster is not a change of the article: same text, same fingerprint")
    func sameTextDespiteChrome() {
        let a = MetadataExtractor.extract(Array(Self.page(chrome: true, ad: "slot-17").utf8))
        let b = MetadataExtractor.extract(Array(Self.page(chrome: true, ad: "slot-93&cb=1711461900").utf8))
        let plain = MetadataExtractor.extract(Array(Self.page(chrome: false).utf8))
        #expect(a.fingerprint == b.fingerprint)
        #expect(a.fingerprint == plain.fingerprint)
    }

    @Test("a wrapper whose class says widget or sidebar does not hide the article")
    func wrapperClassesDoNotHideTheArticle() {
        let paragraphs = Self.story.map { "<p>\($0)</p>" }.joined()
        let page = """
            <html><body><div class="layout-with-sidebar"><div class="elementor-widget-wrap"><div class="elementor-widget theme-post-content">
            \(paragraphs)</div></div></div><div class="sidebar"><p>Popular: ten things to do this weekend, and more.</p></div></body></html>
            """
        #expect(MetadataExtractor.extract(Array(page.utf8)).text == Self.story.joined(separator: "\n\n"))
    }

    @Test("paragraphs written as divs and line breaks are kept")
    func divParagraphs() {
        let page = "<html><body><div class=\"post\">" + Self.story.map { "<div><span>\($0)</span></div><div><img src=x.jpg></div>" }.joined() + "</div></body></html>"
        #expect(MetadataExtractor.extract(Array(page.utf8)).text == Self.story.joined(separator: "\n\n"))
    }
}
