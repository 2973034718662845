/// A provenance trail as a Graphviz graph (`quire provenance --dot`), drawn with the W3C PROV
/// conventions: entities (versions, sightings) are yellow ellipses, activities (batches, imports)
/// blue boxes, agents (people, archive copies) orange houses. Edges carry PROV relation names.
extension Provenance {
    public var dot: String {
        var graph = DotGraph()
        func copyNode(_ archive: String) -> String {
            let id = "copy_" + archive
            let info = copies.first { $0.archive == archive }
            graph.node(id, label: "copy \(info?.label ?? String(archive.prefix(8)))\n\(archive)", style: .agent)
            return id
        }
        func batchNode(_ batch: BatchInfo) -> String {
            let id = "batch_" + batch.id
            graph.node(id, label: "batch \(batch.label)\n\(batch.startedAt)\n\(batch.tool)" + (batch.source.map { "\nsource: \($0)" } ?? ""), style: .activity)
            let person = "agent_" + batch.agent + "@" + batch.host
            graph.node(person, label: batch.agent + (batch.agent.contains("@") ? "" : "@\(batch.host)"), style: .agent)
            graph.edge(id, person, "wasAssociatedWith")
            graph.edge(id, copyNode(batch.archive), "atLocation")
            return id
        }
        func routeNodes(_ origin: RecordOrigin, from entity: String) {
            for step in origin.route {
                let id = "import_" + step.bundle + "_" + step.into
                graph.node(id, label: "import of bundle \(step.bundle.prefix(8))\n\(step.at)\nby \(step.agent)", style: .activity)
                graph.edge(id, copyNode(step.from), "used (bundle from)")
                graph.edge(id, copyNode(step.into), "wasAssociatedWith")
                graph.edge(entity, id, "wasGeneratedBy (copy)")
            }
        }
        func sightingNode(_ s: ProvenanceSighting, index: Int) -> String {
            let id = "sighting_\(s.batch.id)_\(index)"
            var label = "\(s.path)\n\(s.meaning)"
            if let size = s.size { label += ", \(size) bytes" }
            if let mtime = s.mtime { label += "\nmtime \(mtime)" }
            graph.node(id, label: label, style: .sighting)
            graph.edge(id, batchNode(s.batch), "wasGeneratedBy")
            routeNodes(s.recorded, from: id)
            return id
        }
        var index = 0
        for entry in versions {
            let v = entry.version
            let id = "version_" + v.hash
            graph.node(id, label: "\(v.key) @\(v.number)\nversion \(v.hash.prefix(12))\nblob \(v.blob.prefix(12)), \(v.size) bytes" + (entry.custody == "held" ? "" : "\n(\(entry.custody))"), style: .entity)
            for parent in v.parents {
                graph.node("version_" + parent, label: "version \(parent.prefix(12))", style: .entity)
                graph.edge(id, "version_" + parent, "wasDerivedFrom")
            }
            for s in entry.sightings {
                index += 1
                graph.edge(sightingNode(s, index: index), id, "specializationOf")
            }
        }
        for s in otherSightings {
            index += 1
            let node = sightingNode(s, index: index)
            if let version = s.version { graph.edge(node, "version_" + version, "specializationOf") }
        }
        for r in redactions {
            let id = "redaction_\(r.action)_\(r.blob)_\(r.at)"
            graph.node(id, label: "\(r.action) blob \(r.blob.prefix(12))\n\(r.at) by \(r.agent)" + (r.reason.map { "\n\($0)" } ?? ""), style: .activity)
            graph.edge(id, copyNode(r.archive), "wasAssociatedWith")
            for v in versions.map(\.version) where v.blob == r.blob { graph.edge(id, "version_" + v.hash, "used") }
        }
        return graph.text(title: "quire provenance")
    }
}

/// A small writer of Graphviz DOT text: nodes once each, edges once each, every string quoted.
struct DotGraph {
    enum Style {
        case entity, sighting, activity, agent

        var attributes: String {
            switch self {
            case .entity: return "shape=ellipse, style=filled, fillcolor=\"#FFFC87\""
            case .sighting: return "shape=note, style=filled, fillcolor=\"#FFFDD0\""
            case .activity: return "shape=box, style=filled, fillcolor=\"#9FB1FC\""
            case .agent: return "shape=house, style=filled, fillcolor=\"#FED37F\""
            }
        }
    }

    private var nodes: [String] = []
    private var nodeIDs = Set<String>()
    private var edges: [String] = []
    private var edgeKeys = Set<String>()

    mutating func node(_ id: String, label: String, style: Style) {
        guard nodeIDs.insert(id).inserted else { return }
        nodes.append("  \(Self.quote(id)) [label=\(Self.quote(label)), \(style.attributes)];")
    }

    mutating func edge(_ from: String, _ to: String, _ label: String) {
        guard edgeKeys.insert(from + "\u{0}" + to + "\u{0}" + label).inserted else { return }
        edges.append("  \(Self.quote(from)) -> \(Self.quote(to)) [label=\(Self.quote(label))];")
    }

    func text(title: String) -> String {
        (["digraph provenance {", "  label=\(Self.quote(title));", "  rankdir=BT;", "  node [fontname=\"Helvetica\", fontsize=10];",
          "  edge [fontname=\"Helvetica\", fontsize=8];"] + nodes + edges + ["}"]).joined(separator: "\n") + "\n"
    }

    /// A DOT string literal: quotes and backslashes escaped, newlines as `\n` line breaks.
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": break
            default:
                out.unicodeScalars.append(c.value < 0x20 ? " " : c)
            }
        }
        return out + "\""
    }
}
