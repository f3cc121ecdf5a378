/// What the mutation engine needs from the signer of a base license to make mutated files
/// whose signature is still good: a digest and a signature, both from libcrypto.
public protocol MutationKeys {
    /// The digest of `bytes` with `algorithm` ("SHA256", "SHA384", "SHA512", "SHA1", "MD5"…).
    func digest(_ bytes: [UInt8], algorithm: String) -> [UInt8]?
    /// The signer's signature over `bytes` with the digest `algorithm`.
    func sign(_ bytes: [UInt8], algorithm: String) -> [UInt8]?
}

/// Mutates a valid license (issue 10, "a differential test"): bit flips, truncations,
/// ASN.1-aware edits of lengths, tags, attributes, algorithm identifiers, versions, the
/// content and certificate order, duplicates, PEM armour — one to three edits per mutation.
/// Edits of signed parts are often followed by a fresh digest and signature (`MutationKeys`),
/// so that a mutation gets past the signature and tests the rules behind it.
///
/// The edits are chosen by a `MutationEntropy`, so a seed (or a fuzzer's input) gives the
/// same edits every time; ECDSA signatures differ from run to run.
public struct LicenseMutator {
    /// One mutated file and the edits that made it.
    public struct Mutation {
        public let bytes: [UInt8]
        public let steps: [String]
    }

    let base: DERNode
    let basePEM: Bool
    let keys: (any MutationKeys)?
    /// Certificates of other licenses, to swap in.
    let certificatePool: [DERNode]

    /// - Parameters:
    ///   - license: a valid license, PEM or DER;
    ///   - keys: its signer's, to re-sign edits of signed parts (nil: never re-signed);
    ///   - otherCertificates: DER certificates that may be put into the CMS.
    public init?(license: [UInt8], keys: (any MutationKeys)?, otherCertificates: [[UInt8]] = []) {
        let isPEM = PEMArmour.isPEM(license)
        guard let der = isPEM ? PEMArmour.decode(license) : license,
              let (root, rest) = DERNode.parseOne(der[...]), rest.isEmpty
        else { return nil }
        base = root
        basePEM = isPEM
        self.keys = keys
        certificatePool = otherCertificates.compactMap { DERNode.parseOne($0[...])?.0 }
    }

    public func mutate(using entropy: inout some MutationEntropy) -> Mutation {
        var tree = base
        var steps: [String] = []
        for _ in 0...entropy.below(3) {
            steps.append(edit(&tree, using: &entropy))
        }
        var der = tree.encoded
        var output: [UInt8]
        // Raw edits of the bytes, after the tree is written.
        if entropy.chance(1, in: 4) {
            steps.append(RawEdits.apply(&der, using: &entropy))
        }
        let pem = entropy.chance(1, in: 8) ? !basePEM : basePEM
        if pem {
            let (armoured, how) = entropy.chance(1, in: 3) ? PEMArmour.armour(der, using: &entropy) : (PEMArmour.encode(der), "PEM")
            output = armoured
            steps.append(how)
            if entropy.chance(1, in: 8) { steps.append(RawEdits.apply(&output, using: &entropy)) }
        } else {
            output = der
            steps.append("DER")
        }
        return Mutation(bytes: output, steps: steps)
    }

    /// One edit of the tree; returns its description.
    func edit(_ tree: inout DERNode, using entropy: inout some MutationEntropy) -> String {
        if entropy.chance(3, in: 5) {
            return CMSEdits(keys: keys, certificatePool: certificatePool).apply(&tree, using: &entropy)
        }
        return TreeEdits.apply(&tree, using: &entropy)
    }
}

/// Edits of any node, blind to what it means.
enum TreeEdits {
    static let tags: [UInt8] = [0x30, 0x31, 0xA0, 0xA1, 0xA3, 0x04, 0x24, 0x02, 0x05, 0x06, 0x80, 0x81, 0x17, 0x18, 0x0C, 0x13, 0x00, 0x1F]
    static let fillers: [DERNode] = [
        DERNode(tag: 0x05, []), DERNode(tag: 0x31, children: []), DERNode(tag: 0x30, children: []),
        DERNode(tag: 0x06, ObjectIdentifiers.idData), DERNode(tag: 0x02, [1]), DERNode(tag: 0x04, Array("x".utf8)),
        DERNode(tag: 0xA1, children: []), DERNode(tag: 0xA0, children: []),
        DERNode(tag: [0xBF, 0x81, 0x00], content: .constructed([])),
    ]

    static func apply(_ tree: inout DERNode, using entropy: inout some MutationEntropy) -> String {
        let paths = tree.allPaths
        let path = entropy.pick(paths)
        let name = "node \(path)"
        switch entropy.below(8) {
        case 0:
            guard let last = path.last else { return "nothing deleted" }
            tree.updateChildren(Array(path.dropLast())) { $0.remove(at: last) }
            return "delete \(name)"
        case 1:
            guard let last = path.last, let node = tree[path] else { return "nothing duplicated" }
            tree.updateChildren(Array(path.dropLast())) { $0.insert(node, at: last + 1) }
            return "duplicate \(name)"
        case 2:
            guard let last = path.last else { return "nothing swapped" }
            let parent = Array(path.dropLast())
            let count = tree[parent]?.children.count ?? 0
            guard count >= 2 else { return "nothing swapped" }
            let other = entropy.below(count)
            tree.updateChildren(parent) { $0.swapAt(last, other) }
            return "swap \(name) with sibling \(other)"
        case 3:
            let objectPaths = paths.filter { tree[$0]?.firstTag == 0x06 }
            guard !objectPaths.isEmpty else { return "no OID" }
            let chosen = entropy.pick(objectPaths)
            let (oid, oidName) = entropy.pick(ObjectIdentifiers.dictionary)
            tree.update(chosen) { $0.content = .primitive(oid) }
            return "OID at \(chosen) := \(oidName)"
        case 4:
            let newTag = entropy.chance(1, in: 3) ? [(tree[path]?.firstTag ?? 0) ^ 0x20] : [entropy.pick(tags)]
            tree.update(path) { $0.tag = newTag }
            return "tag of \(name) := \(newTag)"
        case 5:
            let style: DERNode.LengthStyle = entropy.pick([.longForm(1), .longForm(2), .longForm(3), .indefinite,
                                                           .off(by: 1), .off(by: -1), .off(by: 2), .off(by: 200)])
            tree.update(path) { $0.lengthStyle = style }
            return "length of \(name) := \(style)"
        case 6:
            let primitives = paths.filter { tree[$0]?.primitiveBytes != nil }
            guard !primitives.isEmpty else { return "no primitive" }
            let chosen = entropy.pick(primitives)
            var description = ""
            tree.update(chosen) { node in
                var bytes = node.primitiveBytes ?? []
                switch entropy.below(5) {
                case 0 where !bytes.isEmpty:
                    let index = entropy.below(bytes.count)
                    bytes[index] ^= UInt8(1 << entropy.below(8))
                    description = "flip a bit of"
                case 1: bytes.append(UInt8(truncatingIfNeeded: entropy.below(256))); description = "append a byte to"
                case 2 where !bytes.isEmpty: bytes.removeLast(); description = "drop the last byte of"
                case 3: bytes.insert(0, at: 0); description = "prepend 00 to"
                default: bytes = []; description = "empty"
                }
                node.content = .primitive(bytes)
            }
            return "\(description) primitive \(chosen)"
        default:
            guard let node = tree[path], node.primitiveBytes == nil else { return "not constructed" }
            let filler = entropy.pick(fillers)
            let position = entropy.below(node.children.count + 1)
            tree.updateChildren(path) { $0.insert(filler, at: position) }
            return "insert \(filler.tag) into \(name) at \(position)"
        }
    }
}

/// Edits of the final bytes.
enum RawEdits {
    static func apply(_ bytes: inout [UInt8], using entropy: inout some MutationEntropy) -> String {
        guard !bytes.isEmpty else { return "nothing to edit" }
        let index = entropy.below(bytes.count)
        switch entropy.below(5) {
        case 0:
            bytes[index] ^= UInt8(1 << entropy.below(8))
            return "flip a bit at byte \(index)"
        case 1:
            bytes.removeSubrange(index...)
            return "truncate to \(index) bytes"
        case 2:
            bytes.insert(UInt8(truncatingIfNeeded: entropy.below(256)), at: index)
            return "insert a byte at \(index)"
        case 3:
            bytes.remove(at: index)
            return "delete byte \(index)"
        default:
            bytes += [0x00, 0x0A, 0x30, 0x00].prefix(1 + entropy.below(4))
            return "append garbage"
        }
    }
}
