import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: name, the text directly inside it (trimmed), and its child elements.
/// AWS responses are small; a tree is the simplest way to read them.
public struct XMLNode: Sendable, Hashable {
    public var name: String
    public var text: String
    public var children: [XMLNode]

    public init(name: String, text: String = "", children: [XMLNode] = []) {
        self.name = name
        self.text = text
        self.children = children
    }

    /// The first child with this name.
    public subscript(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// All children with this name.
    public func all(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }

    /// The first element with this name anywhere below (depth-first), or self.
    public func find(_ name: String) -> XMLNode? {
        if self.name == name { return self }
        for c in children { if let f = c.find(name) { return f } }
        return nil
    }

    /// Text of the first descendant along `path` (`node.value("Credentials", "AccessKeyId")`).
    public func value(_ path: String...) -> String? {
        var n: XMLNode? = self
        for p in path { n = n?[p] }
        return n?.text
    }

    /// Parses a document. Throws `XMLNode.ParseError` with the parser's message and line.
    public static func parse(_ data: Data) throws -> XMLNode {
        let parser = XMLParser(data: data)
        let builder = TreeBuilder()
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        guard ok, builder.failure == nil, let root = builder.root else {
            let reason = builder.failure ?? parser.parserError.map { "\($0.localizedDescription)" } ?? "no root element"
            throw ParseError(message: reason, line: parser.lineNumber)
        }
        return root
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var line: Int
        public var description: String { "invalid XML at line \(line): \(message)" }
    }
}

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLNode] = []
    var texts: [String] = []
    var root: XMLNode?
    var failure: String?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if stack.count > 64 { failure = "nesting deeper than 64"; parser.abortParsing(); return }
        stack.append(XMLNode(name: elementName))
        texts.append("")
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if !texts.isEmpty { texts[texts.count - 1] += string }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        if !texts.isEmpty { texts[texts.count - 1] += String(decoding: CDATABlock, as: UTF8.self) }
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        guard var node = stack.popLast(), let text = texts.popLast() else { return }
        node.text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if failure == nil { failure = parseError.localizedDescription }
    }
}
