import Foundation
import Hashing

/// `quire export bagit`: a BagIt 1.0 bag (RFC 8493) of the selected files, for deposit in a
/// research data repository.
///
/// ```
/// DIR/bagit.txt                 BagIt-Version 1.0, UTF-8
/// DIR/bag-info.txt              Bagging-Date, Payload-Oxum, Bag-Software-Agent, Source-Organization, External-Identifier
/// DIR/data/...                  the files, under names that need no percent-encoding
/// DIR/manifest-sha256.txt       every payload file's SHA-256 (the blob hash)
/// DIR/quire-provenance.jsonl    one line per payload file: its original path, hashes and sightings
/// DIR/tagmanifest-sha256.txt    the SHA-256 of every tag file above
/// ```
extension Archive {
    /// `progress` gets the files done and their number.
    public func exportBagIt(_ selection: ExportSelection, to directory: String, organization: String? = nil,
                            progress: ((Int, Int) -> Void)? = nil) throws -> ExportReport {
        let items = try exportItems(selection)
        try prepareExportDirectory(directory)
        do { try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true) } catch {
            throw QuireError(.io, "cannot create \(directory)/data: \(error.localizedDescription)")
        }
        var report = ExportReport()
        var manifest = ""
        var provenance = ""
        var used = Set<String>()
        progress?(0, items.count)
        for (done, item) in items.enumerated() {
            defer { progress?(done + 1, items.count) }
            var name = Self.bagName(item, taken: used)
            do {
                do {
                    try writeExportFile(blob: item.blob, directory: directory + "/data", components: name.split(separator: "/").map { Array($0.utf8) })
                } catch let error as QuireError where error.code == .refused {
                    // A file where the name needs a folder (or the reverse): the file goes under
                    // `_conflicts/`; its original path is in quire-provenance.jsonl.
                    name = "_conflicts/" + item.blob.prefix(12) + "-" + (name.split(separator: "/").last.map(String.init) ?? "file")
                    if used.contains(name) { name += "-" + String(used.count) }
                    try writeExportFile(blob: item.blob, directory: directory + "/data", components: name.split(separator: "/").map { Array($0.utf8) })
                }
            } catch let error as QuireError where error.code == .redacted {
                report.skipped.append((item.path, error.message))
                report.redacted.append(item.path)
                continue
            }
            used.insert(name)
            report.files += 1
            report.bytes += item.size
            manifest += "\(item.blob)  data/\(name)\n"
            let sightings = try self.sightings(blob: item.blob).filter { $0.key == item.key }
            let line: JSON = [
                "file": .string("data/" + name), "original_path": .string(item.path), "sha256": .string(item.blob),
                "size": .int(Int64(item.size)), "key": .string(item.key), "version": .string(item.version),
                "captured_at": .string(item.capturedAt), "archive_id": .string(id),
                "sightings": .array(sightings.map(\.json)),
            ]
            provenance += line.canonical + "\n"
        }
        func tag(_ name: String, _ text: String) throws -> String {
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/" + name)) } catch {
                throw QuireError(.io, "cannot write \(directory)/\(name): \(error.localizedDescription)")
            }
            return "\(SHA256.hash(Array(text.utf8)).hex)  \(name)\n"
        }
        var tags = ""
        tags += try tag("bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
        let info = [
            "Bagging-Date: \(Timestamp.now().prefix(10))",
            "Payload-Oxum: \(report.bytes).\(report.files)",
            "Bag-Software-Agent: \(Identity.tool)",
            "Source-Organization: \(Self.oneLine(organization ?? Identity.defaultAgent))",
            "External-Identifier: \(id)",
            "External-Description: Quire archive export (\(Self.oneLine(Self.describe(selection))))",
        ]
        tags += try tag("bag-info.txt", info.joined(separator: "\n") + "\n")
        tags += try tag("manifest-sha256.txt", manifest)
        tags += try tag("quire-provenance.jsonl", provenance)
        _ = try tag("tagmanifest-sha256.txt", tags)
        return report
    }

    /// A payload name that needs no percent-encoding in a manifest: each path component keeps
    /// letters, digits, `.`, `_` and `-` and has anything else replaced by `_`; a name already
    /// taken gets the blob hash's first 8 digits appended.
    static func bagName(_ item: ExportItem, taken: Set<String>) -> String {
        let components = item.path.split(separator: "/", omittingEmptySubsequences: true).map { component -> String in
            let cleaned = String(component.unicodeScalars.map { c -> Character in
                c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "." || c == "_" || c == "-") ? Character(c) : "_"
            })
            return cleaned == "." || cleaned == ".." || cleaned.isEmpty ? "_" : cleaned
        }
        var name = components.isEmpty ? item.blob : components.joined(separator: "/")
        if taken.contains(name) { name += "-" + item.blob.prefix(8) }
        return name
    }

    private static func oneLine(_ s: String) -> String { s.split(whereSeparator: \.isNewline).joined(separator: " ") }

    static func describe(_ selection: ExportSelection) -> String {
        switch selection {
        case .heads: return "every document's current version"
        case .headsAsOf(let date): return "every document's version as of \(date)"
        case .batch(let b): return "batch \(b)"
        }
    }
}
