#if canImport(Glibc)
import Glibc
#endif

/// What the words in an element's `class` and `id` say about it, found in one pass over the
/// text: an Aho-Corasick automaton over every word of every list (built once), each word tagged
/// with the lists it is on. `HintWords.categories(of:)` gives the lists any of whose words occur
/// anywhere in the (lowercased) class and id, as substrings, so `articleBody`, `article-body` and
/// `main-article-body` all say `body`. Foundation's substring search costs about a microsecond a
/// call on Linux; the extractors ask a dozen lists about every element, which this makes one
/// walk over the hint's bytes.
struct HintWords {
    struct Category: OptionSet, Hashable {
        let rawValue: UInt32
        /// Page chrome: navigation, footers, sidebars, lists of other articles.
        static let chrome = Category(rawValue: 1 << 0)
        /// Never the article (comments, share bars, related links, banners, ...).
        static let unlikely = Category(rawValue: 1 << 1)
        /// Says it may be the article after all (article, body, content, ...).
        static let maybe = Category(rawValue: 1 << 2)
        /// Readability's positive and negative class words.
        static let positive = Category(rawValue: 1 << 3)
        static let negative = Category(rawValue: 1 << 4)
        /// Says it is the article body (`article-body`, `entry-content`, ...).
        static let body = Category(rawValue: 1 << 5)
        /// Says it holds a date line.
        static let date = Category(rawValue: 1 << 6)
        /// Says it holds a byline.
        static let author = Category(rawValue: 1 << 7)
        /// Says it is about an author but not a byline (a biography box, an avatar).
        static let notByline = Category(rawValue: 1 << 8)
        /// Says updated or modified.
        static let update = Category(rawValue: 1 << 9)
        /// Says published or created.
        static let publish = Category(rawValue: 1 << 10)
        /// Comments, share bars, related links, newsletters: never content, whatever else the class says.
        static let plainlyNotContent = Category(rawValue: 1 << 11)
        /// An hAtom entry or a post: the element holds one article (`hentry`, `h-entry`).
        static let entry = Category(rawValue: 1 << 12)
        /// An hCalendar start date (`dtstart`).
        static let eventStart = Category(rawValue: 1 << 13)
    }

    private static let lists: [(Category, [String])] = [
        (.chrome, ["related", "sidebar", "comment", "recommend", "footer", "navigation", "navbar", "menu"]),
        (.unlikely, ["comment", "share", "sharing", "social", "related", "sidebar", "newsletter", "promo", "advert", "cookie", "consent",
                     "gdpr", "banner", "breadcrumb", "pagination", "pager", "popup", "modal", "subscribe", "signup", "sign-up",
                     "sponsor", "outbrain", "taboola", "recommend", "read-more", "readmore", "more-stories", "skip-link", "skiplink",
                     "masthead", "toolbar", "disqus", "combx", "community", "shoutbox", "print-only", "visually-hidden",
                     "sr-only", "screen-reader", "teaser", "tags", "tag-list", "taglist", "byline", "author-info", "author-bio",
                     "dateline", "timestamp", "caption", "credit", "copyright", "widget", "footer", "header", "navigation",
                     "menu", "overlay", "paywall", "follow", "rating", "breaking-news", "ad-slot", "adslot", "ad-container",
                     "advertisement", "google-ad", "dfp", "jump-link", "inline-related", "see-also", "most-popular", "mostpopular",
                     "trending", "meta-info", "post-meta", "entry-meta", "article-meta", "article__meta", "infobox", "toc"]),
        (.maybe, ["article", "body", "content", "main", "story", "entry", "text", "post"]),
        (.positive, ["article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text", "blog", "story",
                     "artikel", "beitrag", "inhalt", "texto", "contenu", "testo"]),
        (.negative, ["hidden", "banner", "combx", "comment", "com-", "contact", "foot", "footer", "footnote", "gdpr", "masthead", "media",
                     "meta", "outbrain", "promo", "related", "scroll", "share", "shoutbox", "sidebar", "skyscraper", "sponsor",
                     "shopping", "tags", "tool", "widget", "teaser", "navigation", "menu", "social", "ad-", "advert"]),
        (.body, ["articlebody", "article-body", "article__body", "articletext", "article-text", "article__text", "article-content",
                 "article__content", "articlecontent", "story-body", "storybody", "story-content", "story__body", "entry-content",
                 "post-content", "post-body", "postbody", "post-entry", "entry-body", "body-text", "bodytext", "content-body",
                 "text-content", "article-main", "main-text", "maintext", "article_body", "artikel-text", "rich-text", "field-body",
                 "paywall-content"]),
        (.date, ["date", "time", "publish", "publication", "pubdate", "posted", "byline", "dateline", "datum", "fecha", "data-", "meta", "submitted",
                 "article-info", "post-info", "entry-info", "subline", "zeit", "info", "author"]),
        (.author, ["author", "byline", "by-line", "writer", "autor", "auteur", "verfasser", "journalist", "reporter", "creator"]),
        (.notByline, ["comment", "avatar", "bio", "description", "about", "box", "related", "more", "social", "share", "follow"]),
        (.update, ["update", "modif"]),
        (.publish, ["publish", "entry-date", "post-date", "created"]),
        (.plainlyNotContent, ["comment", "share", "related", "newsletter"]),
        (.entry, ["hentry", "h-entry"]),
        (.eventStart, ["dtstart"]),
    ]

    /// Transitions: `next[state * 256 + byte]`; outputs per state (its own words' and its
    /// failure chain's lists).
    private let next: [Int32]
    private let output: [Category]

    private static let shared = HintWords()

    private init() {
        var goto: [[UInt8: Int32]] = [[:]]
        var out: [Category] = [[]]
        for (category, words) in Self.lists {
            for word in words {
                var state = 0
                for b in word.utf8 {
                    if let s = goto[state][b] { state = Int(s); continue }
                    goto.append([:])
                    out.append([])
                    goto[state][b] = Int32(goto.count - 1)
                    state = goto.count - 1
                }
                out[state].insert(category)
            }
        }
        // Breadth-first: failure links, and the full transition table.
        let count = goto.count
        var next = [Int32](repeating: 0, count: count * 256)
        var fail = [Int32](repeating: 0, count: count)
        var queue: [Int] = []
        for b in 0..<256 {
            if let s = goto[0][UInt8(b)] { next[b] = s; queue.append(Int(s)) }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            out[state].formUnion(out[Int(fail[state])])
            for b in 0..<256 {
                if let s = goto[state][UInt8(b)] {
                    fail[Int(s)] = next[Int(fail[state]) * 256 + b]
                    next[state * 256 + b] = s
                    queue.append(Int(s))
                } else {
                    next[state * 256 + b] = next[Int(fail[state]) * 256 + b]
                }
            }
        }
        self.next = next
        output = out
    }

    /// The lists any of whose words occur in `hint` (already lowercased).
    static func categories(of hint: String) -> Category {
        guard !hint.isEmpty else { return [] }
        let machine = shared
        var found: Category = []
        var state = 0
        for b in hint.utf8 {
            state = Int(machine.next[state * 256 + Int(b)])
            found.formUnion(machine.output[state])
        }
        return found
    }
}

/// Byte-level substring search (`memchr` for the first byte, `memcmp` for the rest), for the
/// places that look for a fixed piece of text in a long one.
enum ByteSearch {
    /// The byte offset of the first `needle` in `haystack`, or nil.
    static func offset(of needle: String, in haystack: String) -> Int? {
        var h = haystack, n = needle
        return h.withUTF8 { hb in
            n.withUTF8 { nb -> Int? in
                guard nb.count > 0, hb.count >= nb.count, let hp = hb.baseAddress, let np = nb.baseAddress else { return nil }
                let first = Int32(nb[0])
                var at = 0
                let last = hb.count - nb.count
                while at <= last {
                    guard let hit = memchr(hp + at, first, last - at + 1) else { return nil }
                    let offset = UnsafeRawPointer(hit) - UnsafeRawPointer(hp)
                    if memcmp(hp + offset, np, nb.count) == 0 { return offset }
                    at = offset + 1
                }
                return nil
            }
        }
    }

    static func contains(_ haystack: String, _ needle: String) -> Bool { offset(of: needle, in: haystack) != nil }
}
