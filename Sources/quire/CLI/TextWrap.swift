/// Wrapping help text to the terminal's width (`Terminal.width`: `COLUMNS`, the terminal, else
/// 80), so no line is wider than the screen or, piped, than 80 columns.
enum TextWrap {
    /// `text` with no line wider than `width`. A paragraph of unindented lines (prose) that
    /// does not fit is joined and filled again; an indented line that does not fit (an option's
    /// description, a row of a table, an example) is broken at spaces with a hanging indent: the
    /// column its description starts at (after a term and two spaces), else its own indent. A
    /// word longer than the room left is cut.
    static func wrap(_ text: String, width: Int) -> String {
        let width = max(20, width)
        var out: [String] = []
        var paragraph: [String] = []
        func flushParagraph() {
            defer { paragraph = [] }
            guard !paragraph.isEmpty else { return }
            if paragraph.allSatisfy({ $0.count <= width }) { out += paragraph; return }
            out += fill(paragraph.joined(separator: " "), first: "", rest: "", width: width)
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.isEmpty || line.first == " " {
                flushParagraph()
                out += line.count <= width ? [line] : hanging(line, width: width)
            } else {
                paragraph.append(line)
            }
        }
        flushParagraph()
        return out.joined(separator: "\n")
    }

    /// An indented line broken with its hanging indent (see `wrap`).
    static func hanging(_ line: String, width: Int) -> [String] {
        let chars = Array(line)
        let indent = chars.prefix { $0 == " " }.count
        // A term (no spaces), then two spaces or more: the description starts after them.
        var i = indent
        while i < chars.count, chars[i] != " " { i += 1 }
        var j = i
        while j < chars.count, chars[j] == " " { j += 1 }
        // Never more than half the width, so every continuation line has room for words.
        let column = min(j - i >= 2 && j < chars.count && j <= width / 2 ? j : indent, width / 2)
        let head = String(chars[0..<column])
        let body = String(chars[column...])
        return fill(body, first: head, rest: String(repeating: " ", count: column), width: width)
    }

    /// Words of `text` filled into lines of at most `width`, the first starting with `first`,
    /// the others with `rest`.
    static func fill(_ text: String, first: String, rest: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = first
        var empty = true
        for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            var word = word
            if !empty && current.count + 1 + word.count > width {
                lines.append(current)
                current = rest
                empty = true
            }
            // A word wider than a whole line is cut.
            while current.count + (empty ? 0 : 1) + word.count > width {
                let room = width - current.count - (empty ? 0 : 1)
                if room < 1 { lines.append(current); current = rest; empty = true; continue }
                current += (empty ? "" : " ") + String(word.prefix(room))
                word = String(word.dropFirst(room))
                lines.append(current)
                current = rest
                empty = true
            }
            if word.isEmpty { continue }
            current += (empty ? "" : " ") + word
            empty = false
        }
        if !empty || lines.isEmpty { lines.append(current) }
        return lines
    }
}
