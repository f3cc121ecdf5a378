/// A BER/DER tree that can be edited and written back, for the mutation engine of the
/// fast path's differential test and fuzz target.
///
/// Parsing is lenient (it must read what the mutations wrote: indefinite lengths,
/// non-minimal lengths, high tag numbers); an element whose content does not split into
/// elements is kept as opaque bytes. Writing recomputes every length, in the style each node
/// asks for, so an edit deep inside stays a consistent structure unless the edit is the length.
///
/// Independent of the code under test (`StrictDER` in LicensePlatform) on purpose: a bug
/// there must not blind the mutations.
public struct DERNode: Equatable, Sendable {
    public enum Content: Equatable, Sendable {
        case primitive([UInt8])
        case constructed([DERNode])
    }

    /// How the length octets are written.
    public enum LengthStyle: Equatable, Sendable {
        /// The shortest definite form (DER).
        case minimal
        /// Definite long form with this many length octets (non-minimal when the value is small).
        case longForm(Int)
        /// `0x80` … `00 00` (BER, constructed only).
        case indefinite
        /// The minimal form of the true length plus this (a lie).
        case off(by: Int)
    }

    /// The identifier octets (one, or more for a high tag number).
    public var tag: [UInt8]
    public var lengthStyle: LengthStyle = .minimal
    // Stored as two optionals rather than as `Content`: Swift keeps a multi-payload enum's
    // case in the spare bits of the array pointer, which LeakSanitizer (the fuzz target's)
    // then cannot recognise as a pointer, and reports every tree as leaked.
    private var primitiveStorage: [UInt8]?
    private var childrenStorage: [DERNode]?

    public var content: Content {
        get {
            if let childrenStorage { return .constructed(childrenStorage) }
            return .primitive(primitiveStorage ?? [])
        }
        set {
            switch newValue {
            case .primitive(let bytes): primitiveStorage = bytes; childrenStorage = nil
            case .constructed(let children): childrenStorage = children; primitiveStorage = nil
            }
        }
    }

    public init(tag: [UInt8], content: Content, lengthStyle: LengthStyle = .minimal) {
        self.tag = tag
        self.lengthStyle = lengthStyle
        self.content = content
    }

    public init(tag: UInt8, _ bytes: [UInt8]) { self.init(tag: [tag], content: .primitive(bytes)) }
    public init(tag: UInt8, children: [DERNode]) { self.init(tag: [tag], content: .constructed(children)) }

    public var firstTag: UInt8 { tag.first ?? 0 }
    public var children: [DERNode] { childrenStorage ?? [] }
    public var primitiveBytes: [UInt8]? { childrenStorage == nil ? primitiveStorage ?? [] : nil }

    // MARK: Reading

    /// The elements of `bytes`, all of it; nil when it is not a sequence of elements.
    public static func parseAll(_ bytes: ArraySlice<UInt8>) -> [DERNode]? {
        var rest = bytes
        var nodes: [DERNode] = []
        while !rest.isEmpty {
            guard let (node, after) = parseOne(rest) else { return nil }
            nodes.append(node)
            rest = after
        }
        return nodes
    }

    /// One element at the start of `bytes` and what follows it.
    public static func parseOne(_ bytes: ArraySlice<UInt8>) -> (DERNode, ArraySlice<UInt8>)? {
        var index = bytes.startIndex
        guard index < bytes.endIndex else { return nil }
        var tag = [bytes[index]]
        let constructed = bytes[index] & 0x20 != 0
        if bytes[index] & 0x1F == 0x1F {
            repeat {
                index += 1
                guard index < bytes.endIndex, tag.count < 6 else { return nil }
                tag.append(bytes[index])
            } while bytes[index] & 0x80 != 0
        }
        index += 1
        guard index < bytes.endIndex else { return nil }
        let first = bytes[index]
        index += 1
        if first == 0x80 {
            // Indefinite: elements up to the end-of-contents octets.
            guard constructed else { return nil }
            var rest = bytes[index...]
            var children: [DERNode] = []
            while true {
                if rest.count >= 2, rest[rest.startIndex] == 0, rest[rest.startIndex + 1] == 0 {
                    return (DERNode(tag: tag, content: .constructed(children), lengthStyle: .indefinite), rest.dropFirst(2))
                }
                guard let (child, after) = parseOne(rest) else { return nil }
                children.append(child)
                rest = after
            }
        }
        var length = Int(first)
        var style = LengthStyle.minimal
        if first > 0x80 {
            let count = Int(first & 0x7F)
            guard count <= 4, index + count <= bytes.endIndex else { return nil }
            length = 0
            for octet in bytes[index..<(index + count)] { length = length << 8 | Int(octet) }
            index += count
            if count != minimalLengthOctets(length) { style = .longForm(count) }
        }
        guard length <= bytes.endIndex - index else { return nil }
        let body = bytes[index..<(index + length)]
        let after = bytes[(index + length)...]
        if constructed, let children = parseAll(body) {
            return (DERNode(tag: tag, content: .constructed(children), lengthStyle: style), after)
        }
        return (DERNode(tag: tag, content: .primitive(Array(body)), lengthStyle: style), after)
    }

    // MARK: Writing

    public var encoded: [UInt8] {
        var output: [UInt8] = []
        write(into: &output)
        return output
    }

    public func write(into output: inout [UInt8]) {
        var body: [UInt8] = []
        switch content {
        case .primitive(let bytes): body = bytes
        case .constructed(let children): for child in children { child.write(into: &body) }
        }
        output += tag
        switch lengthStyle {
        case .minimal:
            output += Self.lengthOctets(body.count, count: Self.minimalLengthOctets(body.count))
        case .longForm(let count):
            output += Self.lengthOctets(body.count, count: max(count, Self.minimalLengthOctets(body.count)), forceLong: true)
        case .indefinite:
            output.append(0x80)
            output += body
            output += [0, 0]
            return
        case .off(let delta):
            let claimed = max(0, body.count + delta)
            output += Self.lengthOctets(claimed, count: Self.minimalLengthOctets(claimed))
        }
        output += body
    }

    /// 0 for the short form, else the number of long-form octets needed.
    static func minimalLengthOctets(_ length: Int) -> Int {
        if length < 0x80 { return 0 }
        var count = 0
        var rest = length
        while rest > 0 { count += 1; rest >>= 8 }
        return count
    }

    static func lengthOctets(_ length: Int, count: Int, forceLong: Bool = false) -> [UInt8] {
        if count == 0 && !forceLong { return [UInt8(length)] }
        let octets = max(count, 1)
        return [0x80 | UInt8(octets)] + (0..<octets).reversed().map { UInt8(truncatingIfNeeded: length >> ($0 * 8)) }
    }

    // MARK: Paths

    /// Every node's path (child indices from this node), this node first, depth first.
    public var allPaths: [[Int]] {
        var paths: [[Int]] = [[]]
        for (index, child) in children.enumerated() {
            paths += child.allPaths.map { [index] + $0 }
        }
        return paths
    }

    public subscript(path: [Int]) -> DERNode? {
        get {
            guard let first = path.first else { return self }
            let children = self.children
            guard first < children.count else { return nil }
            return children[first][Array(path.dropFirst())]
        }
    }

    /// Replaces the node at `path` by `transform` of it; false when there is no such node.
    @discardableResult
    public mutating func update(_ path: [Int], _ transform: (inout DERNode) -> Void) -> Bool {
        guard let first = path.first else {
            transform(&self)
            return true
        }
        guard case .constructed(var children) = content, first < children.count else { return false }
        let done = children[first].update(Array(path.dropFirst()), transform)
        content = .constructed(children)
        return done
    }

    /// Changes the children of the constructed node at `path`.
    @discardableResult
    public mutating func updateChildren(_ path: [Int], _ transform: (inout [DERNode]) -> Void) -> Bool {
        var changed = false
        update(path) { node in
            guard case .constructed(var children) = node.content else { return }
            transform(&children)
            node.content = .constructed(children)
            changed = true
        }
        return changed
    }
}
