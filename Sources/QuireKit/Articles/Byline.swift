import Foundation

/// The authors of an HTML article, as a list of names: JSON-LD `author` (names, `Person`
/// objects, or `@id` references to a `Person` elsewhere in the graph), then `<meta>` names
/// (`author`, `article:author`, `dc.creator`, `parsely-author`, ..., and the "Written by" label
/// of a Twitter card), then the visible byline (microdata `itemprop=author`, `rel=author`
/// links, elements whose class or id says author or byline, a line beginning "By", "Von",
/// "Par", "Por", "Di"...). Every value is cleaned the same way (`names(in:)`): lists split;
/// labels, e-mail addresses, dates, roles and outlet names dropped.
enum Byline {
    static let byline = "html-byline/1"

    /// How strictly a value is read: what a page declares for its author (JSON-LD, meta tags)
    /// may be a handle (`jancak`, `mh`) or a desk ("Redaktion"), since the page says so; text
    /// found in the visible page must read as a person's name.
    enum Source { case declared, visible }

    static func read(_ page: ArticlePage, main: Int?, into fields: inout FieldCandidates) {
        let site = fields.value("publication")
        let outlets = outletNames(page, site: site)
        func add(_ raw: String, _ extractor: String, rank: Int, _ source: Source) {
            for name in names(in: ArticlePage.plain(raw), outlets: outlets, source: source) { fields.add("author", name, extractor, rank: rank) }
        }
        // JSON-LD: the article's author; persons (an organization as author is the outlet).
        for node in page.jsonLD.nodes where JSONLD.types(node).contains(where: JSONLD.isArticleType) {
            guard let author = node["author"] ?? node["creator"] else { continue }
            let values = author.arrayValue ?? [author]
            for value in values where !page.jsonLD.isOrganization(value) {
                for name in page.jsonLD.names(value) { add(name, HTMLMetadata.jsonLD, rank: 0, .declared) }
            }
        }
        // Meta names, and the "Written by" label Yoast writes for Twitter cards.
        var twitterLabels: [String: String] = [:]
        for (key, content) in page.meta {
            switch key {
            case "author", "article:author", "og:article:author", "dc.creator", "dcterms.creator", "dc:creator", "byl", "sailthru.author",
                 "parsely-author", "citation_author", "authors", "author_name", "article:author_name", "cxenseparse:author", "bt:author":
                guard !content.lowercased().hasPrefix("http"), !ByteSearch.contains(content, "://") else { continue }
                add(content, HTMLMetadata.meta, rank: 1, .declared)
            case "twitter:label1", "twitter:label2":
                twitterLabels[String(key.suffix(1))] = content.lowercased().trimmedWhitespace
            case "twitter:data1", "twitter:data2":
                if let label = twitterLabels[String(key.suffix(1))], writtenByLabels.contains(label) {
                    add(content, HTMLMetadata.meta, rank: 2, .declared)
                }
            default: break
            }
        }
        guard !fields.has("author") else { return }
        readVisible(page, main: main) { add($0, byline, rank: 3, .visible) }
    }

    private static let writtenByLabels: Set<String> = ["written by", "verfasst von", "geschrieben von", "écrit par", "escrito por", "scritto da",
                                                       "geschreven door", "autor", "author", "auteur"]

    // MARK: The visible byline

    private static func readVisible(_ page: ArticlePage, main: Int?, add: (String) -> Void) {
        let doc = page.document
        var found: [String] = []
        // Microdata: itemprop=author, its itemprop=name if it has one.
        for (e, element) in doc.elements.enumerated() where element["itemprop"].map({ hasWord($0, "author") }) == true {
            guard !page.inChrome[e] else { continue }
            let nameElement = descendant(of: e, doc) { $0["itemprop"]?.lowercased() == "name" }
            let text = nameElement.flatMap { doc.elements[$0]["content"] ?? doc.text(of: $0, limit: 200) } ?? element["content"] ?? doc.text(of: e, limit: 200)
            found.append(text)
            if found.count >= 4 { break }
        }
        if found.isEmpty {
            for (e, element) in doc.elements.enumerated() where element.name == "a" && element["rel"].map({ hasWord($0, "author") }) == true {
                guard !page.inChrome[e] else { continue }
                found.append(doc.text(of: e, limit: 200))
                if found.count >= 4 { break }
            }
        }
        if found.isEmpty {
            // The first element whose class or id says author or byline, with short text.
            for (e, element) in doc.elements.enumerated() where page.categories[e].contains(.author) {
                guard !page.categories[e].contains(.notByline), !page.inChrome[e],
                      element.name != "meta", element.name != "img", element.name != "body", element.name != "article",
                      page.textLength[e] < 200 else { continue }
                var text = doc.text(of: e, limit: 200)
                // A label alone ("By", "Von:"): the name is in what follows it.
                if strippingBylineWord(text.trimmedWhitespace + " ")?.isEmpty == true, element.parent > 0 {
                    text = doc.text(of: element.parent, limit: 200)
                }
                guard text.utf8.count < 200, !text.trimmedWhitespace.isEmpty else { continue }
                found.append(text)
                break
            }
        }
        if found.isEmpty, let line = bylineLine(page, main: main) { found.append(line) }
        for text in found { add(text) }
    }

    private static func hasWord(_ value: String, _ word: String) -> Bool {
        value.lowercased().split(separator: " ").contains { $0 == word }
    }

    /// The first element after the headline whose own text starts with a byline word ("By",
    /// "Von", "Par", "Por", "Di", "Door", "Av", "Af") followed by a capitalized name.
    private static func bylineLine(_ page: ArticlePage, main: Int?) -> String? {
        let doc = page.document
        let start = doc.first("h1") ?? main ?? 0
        var checked = 0
        for e in start..<doc.elements.count {
            guard checked < 200 else { break }
            let element = doc.elements[e]
            guard ["p", "span", "div", "li", "a", "strong", "em", "b", "address", "small"].contains(element.name), !page.inChrome[e] else { continue }
            checked += 1
            guard page.textLength[e] < 150 else { continue }
            let text = doc.text(of: e, limit: 160).trimmedWhitespace
            guard text.utf8.count < 150 else { continue }
            if let rest = strippingBylineWord(text), let first = rest.unicodeScalars.first, first.properties.isUppercase { return rest }
        }
        return nil
    }

    /// Words a byline starts with, lowercased, each with the space (or colon) after it.
    private static let bylineWords = ["by ", "von ", "von: ", "par ", "por ", "di ", "door ", "av ", "af ", "text: ", "text von ", "autor: ",
                                      "autorin: ", "author: ", "written by ", "posted by ", "geschrieben von ", "verfasst von ", "erstellt von ",
                                      "ein beitrag von ", "reportage von ", "from ", "post author by ", "post author ", "veröffentlicht von ",
                                      "publié par ", "publicado por ", "scritto da ", "by: ", "texte : ", "texto: ", "redaktion: "]

    /// Text after a leading byline word, or nil when it has none.
    static func strippingBylineWord(_ text: String) -> String? {
        let lower = text.lowercased()
        for word in bylineWords where lower.hasPrefix(word) {
            return String(text.dropFirst(word.count)).trimmedWhitespace
        }
        return nil
    }

    private static func descendant(of e: Int, _ doc: HTMLDocument, where matches: (HTMLDocument.Element) -> Bool) -> Int? {
        var stack = doc.elements[e].children.reversed().compactMap { if case .element(let c) = $0 { return c } else { return nil } }
        var visited = 0
        while let c = stack.popLast(), visited < 500 {
            visited += 1
            if matches(doc.elements[c]) { return c }
            stack += doc.elements[c].children.reversed().compactMap { if case .element(let k) = $0 { return k } else { return nil } }
        }
        return nil
    }

    // MARK: Names

    /// Lowercased names of the outlet (site name, publisher, domain words): never a visible byline.
    private static func outletNames(_ page: ArticlePage, site: String?) -> Set<String> {
        var out: Set<String> = []
        // A person the page's JSON-LD names (a personal blog's publisher) is not an outlet.
        var persons = Set<String>()
        for node in page.jsonLD.nodes where JSONLD.types(node).contains("Person") {
            if let name = node["name"]?.stringValue { persons.insert(name.lowercased()) }
        }
        if let site, !persons.contains(site.lowercased()) { out.insert(site.lowercased()) }
        for node in page.jsonLD.nodes {
            let types = JSONLD.types(node)
            if types.contains(where: { $0.hasSuffix("Organization") || $0 == "WebSite" }), !types.contains("Person"), let name = node["name"]?.stringValue,
               !persons.contains(name.lowercased()) {
                out.insert(name.lowercased())
            }
        }
        if let url = page.baseURL, let host = url.split(separator: "/").dropFirst().first {
            let parts = host.lowercased().split(separator: ".")
            if parts.count >= 2 {
                let domain = parts[parts.count - 2]
                out.insert(String(domain))
                out.insert(parts.suffix(2).joined(separator: "."))
                out.insert(parts.joined(separator: "."))
            }
        }
        let personKeys = Set(persons.map(squeezed))
        return out.filter { !personKeys.contains(squeezed($0)) }
    }

    /// Words that name no person: roles, desks, agencies, and labels met in bylines.
    private static let notNames: Set<String> = [
        "admin", "administrator", "redaktion", "redaction", "rédaction", "redacción", "redazione", "editor", "editors", "editorial", "staff",
        "staff writer", "team", "newsdesk", "news desk", "webmaster", "guest", "gast", "anonymous", "unknown", "author", "autor", "user",
        "dpa", "afp", "ap", "reuters", "apa", "kna", "epd", "sda", "ddp", "sid", "ansa", "efe", "associated press", "press association",
        "agence france-presse", "the associated press", "bloomberg", "online", "online-redaktion", "red", "red.", "presse", "pressestelle",
        "news", "desk", "correspondent", "contributor", "contributors", "home", "start", "more", "mehr", "info", "kontakt", "contact",
        "posted", "published", "veröffentlicht", "publiziert", "publiziert am", "veröffentlicht am", "by", "von", "par", "por", "written by",
        "updated", "aktualisiert", "share", "teilen", "follow", "folgen", "about", "profile", "profil", "view all posts", "all posts",
    ]

    /// Declared values that say there is no author.
    private static let declaredNotNames: Set<String> = ["admin", "administrator", "webmaster", "no author", "none", "null", "undefined", "author",
                                                        "user", "wordpress", "root", "default", "n/a", "anonymous", "publisher", "editor"]

    /// The person names in one byline or author value: a leading "By"-word, e-mail addresses,
    /// handles, URLs, dates and what follows them dropped; split at commas, semicolons, slashes,
    /// "and"/"und"/"&"/"et"/"y"/"e"; each part kept when it reads as a name (one to five words,
    /// the first capitalized, no digits) and is not the outlet or a role. A declared value
    /// (`source: .declared`) may also be a handle or a desk, but not a URL, an address or a number.
    static func names(in raw: String, outlets: Set<String> = [], source: Source = .visible) -> [String] {
        // A no-break space is white space to `foldedWhitespace` as well (it separates words).
        var text = raw.foldedWhitespace
        guard !text.isEmpty, text.utf8.count <= 400 else { return [] }
        if let rest = strippingBylineWord(text) { text = rest }
        // A photo credit is not a byline.
        let lowerText = text.lowercased()
        if ["foto", "photo", "bild", "image", "credit", "quelle", "source", "фото"].contains(where: { lowerText.hasPrefix($0) }) { return [] }
        // A byline word after a short label ("Post author By X", "Ein Artikel von X"): what follows it.
        if source == .visible {
            for word in [" by ", " von ", " par ", " por "] {
                if let r = text.range(of: word, options: .caseInsensitive), text[..<r.lowerBound].split(separator: " ").count <= 3 {
                    text = String(text[r.upperBound...])
                }
            }
        }
        // Cut at a parenthesis, a date or a time, and at words that start the rest of a dateline.
        if let paren = text.firstIndex(of: "("), paren > text.startIndex { text = String(text[..<paren]) }
        for cut in ["|", " - ", " – ", " — ", "\n", " updated", " published", " aktualisiert", " veröffentlicht", " posted", " on ", " am ", " le ", " el "] {
            if let r = text.range(of: cut, options: .caseInsensitive), r.lowerBound > text.startIndex {
                let before = String(text[..<r.lowerBound])
                let after = String(text[r.upperBound...])
                // Keep the part before a dash or bar when the rest is a date, an outlet, a role or a sentence.
                if cut == " - " || cut == " – " || cut == " — " || cut == "|" {
                    let rest = after.trimmedWhitespace.lowercased()
                    if isOutlet(before.trimmedWhitespace.lowercased(), outlets) && !after.trimmedWhitespace.isEmpty {
                        text = after  // "unocero - Alberto Ávila"
                    } else if NewsDate.find(in: after) != nil || isOutlet(rest, outlets) || after.split(separator: " ").count > 4 || notNames.contains(rest) {
                        text = before
                    }
                } else {
                    text = before
                }
            }
        }
        var parts: [String] = [text]
        for separator in [",", ";", " / ", "/", " and ", " und ", " & ", " et ", " y ", " e ", " en ", " og ", " och ", " i ", " · ", " • "] {
            parts = parts.flatMap { $0.components(separatedBy: separator) }
        }
        var out: [String] = []
        for part in parts {
            var name = part.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'“”„«»()[]:.*-–—+"))
            if let rest = strippingBylineWord(name + " "), !rest.isEmpty { name = rest }
            name = name.foldedWhitespace
            if source == .visible { name = withoutRole(name) }
            let lower = name.lowercased()
            guard !isOutlet(lower, outlets), !isOrganization(lower) else { continue }
            if source == .declared {
                guard looksLikeHandle(name), !declaredNotNames.contains(lower) else { continue }
            } else {
                guard looksLikeName(name), !notNames.contains(lower) else { continue }
            }
            if !out.contains(name) { out.append(name) }
        }
        return out
    }

    /// Whether a lowercased name is the outlet's: equal to the site's name or its domain once
    /// spaces, punctuation and a leading "the" are ignored ("Deutsche Wirtschaftsnachrichten" and
    /// deutsche-wirtschafts-nachrichten.de, "The Economist" and economist.com).
    static func isOutlet(_ lower: String, _ outlets: Set<String>) -> Bool {
        if outlets.contains(lower) { return true }
        let name = squeezed(lower)
        guard name.count >= 3 else { return false }
        return outlets.contains { squeezed($0) == name }
    }

    /// A lowercased name without a leading "the", spaces and punctuation.
    private static func squeezed(_ s: String) -> String {
        var s = Substring(s)
        if s.hasPrefix("the ") { s = s.dropFirst(4) }
        return String(s.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }.map(Character.init))
    }

    /// Whether a lowercased name is a company's or an institution's ("bergportal GmbH", "Bund
    /// der Energieverbraucher e.V.", "Bundesministerium für ...").
    static func isOrganization(_ lower: String) -> Bool {
        let words = lower.split(whereSeparator: { $0 == " " || $0 == "," })
        if let last = words.last, organizationSuffixes.contains(String(last)) { return true }
        return words.contains { organizationWords.contains(String($0)) }
    }

    private static let organizationSuffixes: Set<String> = ["gmbh", "ag", "e.v", "e.v.", "ev", "inc", "inc.", "ltd", "ltd.", "llc", "se", "s.a", "s.a.",
                                                            "kg", "ohg", "gbr", "mbh", "co.", "corp", "corp.", "plc", "sa", "srl", "s.l", "bv", "nv"]
    private static let organizationWords: Set<String> = ["bundesministerium", "ministerium", "ministry", "verlag", "verband", "publisher", "magazin",
                                                         "zeitung", "gmbh", "department", "universität", "university", "institut", "institute"]

    /// A name without the role written after it ("Christoph Hein Chefredakteur").
    static func withoutRole(_ name: String) -> String {
        var words = name.split(separator: " ")
        while words.count > 1, let last = words.last, roles.contains(last.lowercased()) { words.removeLast() }
        return words.joined(separator: " ")
    }

    private static let roles: Set<String> = ["chefredakteur", "chefredakteurin", "redakteur", "redakteurin", "editor", "reporter", "correspondent",
                                             "autor", "autorin", "author", "journalist", "journalistin", "korrespondent", "korrespondentin",
                                             "contributor", "columnist", "kolumnist", "kolumnistin", "writer"]

    /// What a page may declare as its author: a name, a handle or a desk; not a URL, an e-mail
    /// address, a number or a sentence.
    static func looksLikeHandle(_ name: String) -> Bool {
        guard name.count >= 2, name.count <= 80, name.split(separator: " ").count <= 6 else { return false }
        guard !name.contains("@"), !ByteSearch.contains(name, "http"), !ByteSearch.contains(name, "www.") else { return false }
        return name.unicodeScalars.contains { $0.properties.isAlphabetic }
    }

    /// One to five words, the first starting with a capital (or a script without case), no
    /// digits, `@` or URL, at most 60 characters.
    static func looksLikeName(_ name: String) -> Bool {
        guard name.count >= 2, name.count <= 60 else { return false }
        guard !name.contains("@"), !ByteSearch.contains(name, "http"), !ByteSearch.contains(name, "www."),
              !name.unicodeScalars.contains(where: { $0.properties.numericType != nil }) else { return false }
        let words = name.split(separator: " ")
        guard (1...5).contains(words.count), let first = name.unicodeScalars.first else { return false }
        if first.properties.isLowercase { return false }
        guard first.properties.isAlphabetic else { return false }
        // Most words capitalized (particles like "van", "de", "von" aside).
        let capitalized = words.filter { $0.unicodeScalars.first.map { !$0.properties.isLowercase } ?? false }.count
        return capitalized * 2 >= words.count
    }
}
