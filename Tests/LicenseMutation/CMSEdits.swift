/// Where the parts of a (possibly already mutated) SignedData are, found leniently by tag.
struct CMSPaths {
    let signedData: [Int]
    var digestAlgorithms: [Int] { signedData + [1] }
    var encapsulated: [Int] { signedData + [2] }
    var content: [Int] { encapsulated + [1, 0] }
    var certificates: [Int]?
    var signerInfo: [Int]?
    var signerDigest: [Int]? { signerInfo.map { $0 + [2] } }
    var signedAttributes: [Int]?
    var signatureAlgorithm: [Int]?
    var signature: [Int]?

    init?(_ tree: DERNode) {
        guard let signedData = tree[[1, 0]], signedData.firstTag == 0x30 else { return nil }
        self.signedData = [1, 0]
        let fields = signedData.children
        certificates = fields.indices.first { $0 >= 3 && fields[$0].firstTag == 0xA0 }.map { [1, 0, $0] }
        guard let signerSet = fields.indices.last(where: { $0 >= 2 && fields[$0].firstTag == 0x31 }),
              fields[signerSet].children.first != nil
        else { return }
        let info = [1, 0, signerSet, 0]
        signerInfo = info
        let parts = fields[signerSet].children[0].children
        if let attributes = parts.indices.first(where: { parts[$0].firstTag == 0xA0 }) {
            signedAttributes = info + [attributes]
            if attributes + 1 < parts.count, parts[attributes + 1].firstTag == 0x30 {
                signatureAlgorithm = info + [attributes + 1]
            }
        } else if parts.count > 3, parts[3].firstTag == 0x30 {
            signatureAlgorithm = info + [3]
        }
        signature = parts.indices.first { parts[$0].firstTag == 0x04 }.map { info + [$0] }
    }
}

/// Edits that know the CMS: attributes, content, algorithms, versions, certificates,
/// unsigned parts — each of a signed part usually followed by a fresh digest and signature.
struct CMSEdits {
    let keys: (any MutationKeys)?
    let certificatePool: [DERNode]

    func apply(_ tree: inout DERNode, using entropy: inout some MutationEntropy) -> String {
        guard let paths = CMSPaths(tree) else { return TreeEdits.apply(&tree, using: &entropy) }
        var description: String
        var signedPartChanged = true
        var contentChanged = false
        let attributes = paths.signedAttributes
        switch entropy.below(18) {
        case 0:
            description = editAttributes(&tree, attributes, using: &entropy)
        case 1:
            description = editAttributes(&tree, attributes, using: &entropy)
        case 2:
            description = newContent(&tree, paths, using: &entropy)
            contentChanged = true
        case 3:
            let target = entropy.chance(1, in: 2) ? paths.encapsulated + [0] : nil
            let (oid, name) = entropy.pick(ObjectIdentifiers.dictionary)
            if let target {
                tree.update(target) { $0.content = .primitive(oid) }
                description = "eContentType := \(name)"
                signedPartChanged = entropy.chance(1, in: 2)
            } else {
                description = setAttribute(&tree, attributes, type: ObjectIdentifiers.contentType,
                                           value: DERNode(tag: 0x06, oid)) + " := \(name)"
            }
        case 4:
            let (oid, name) = entropy.pick(ObjectIdentifiers.digests)
            let identifier = algorithmIdentifier(oid, using: &entropy)
            switch entropy.below(3) {
            case 0: tree.update(paths.digestAlgorithms) { $0.content = .constructed([identifier]) }
            case 1: if let signer = paths.signerDigest { tree.update(signer) { $0 = identifier } }
            default:
                tree.update(paths.digestAlgorithms) { $0.content = .constructed([identifier]) }
                if let signer = paths.signerDigest { tree.update(signer) { $0 = identifier } }
            }
            description = "digest algorithm := \(name)"
            contentChanged = true
        case 5:
            let (oid, name) = entropy.pick(ObjectIdentifiers.signatures)
            let identifier = algorithmIdentifier(oid, using: &entropy)
            if let algorithm = paths.signatureAlgorithm { tree.update(algorithm) { $0 = identifier } }
            description = "signature algorithm := \(name) \(identifier.children.count > 1 ? "with parameters" : "")"
        case 6:
            let version = UInt8(entropy.pick([0, 1, 2, 3, 4, 5]))
            let signer = entropy.chance(1, in: 2)
            tree.update(signer ? (paths.signerInfo ?? []) + [0] : paths.signedData + [0]) { $0.content = .primitive([version]) }
            description = "\(signer ? "SignerInfo" : "SignedData") version := \(version)"
            signedPartChanged = false
        case 7:
            let attribute = DERNode(tag: 0x30, children: [DERNode(tag: 0x06, entropy.pick(ObjectIdentifiers.attributes).oid),
                                                          DERNode(tag: 0x31, children: [DERNode(tag: 0x04, [1, 2, 3])])])
            if let signerInfo = paths.signerInfo {
                tree.updateChildren(signerInfo) { $0.append(DERNode(tag: 0xA1, children: [attribute])) }
            }
            description = "unsigned attributes added"
            signedPartChanged = false
        case 8:
            let crl = entropy.chance(1, in: 2) ? DERNode(tag: 0xA1, children: [])
                : DERNode(tag: 0xA1, children: [DERNode(tag: 0x30, children: [DERNode(tag: 0x02, [1])])])
            let position = (paths.certificates?.last ?? 2) + 1
            tree.updateChildren(paths.signedData) { $0.insert(crl, at: min(position, $0.count)) }
            description = "crls field added"
            signedPartChanged = false
        case 9, 10:
            description = editCertificates(&tree, paths, using: &entropy)
            signedPartChanged = false
        case 11:
            description = "re-signed as it was"
        case 12:
            if let attributes { tree.updateChildren(Array(attributes.dropLast())) { $0.remove(at: attributes.last!) } }
            description = "signed attributes removed"
        case 13:
            let value: [UInt8] = entropy.pick([[], [0], Array(repeating: 0xAB, count: 32), Array(repeating: 0, count: 48)])
            description = setAttribute(&tree, attributes, type: ObjectIdentifiers.messageDigest, value: DERNode(tag: 0x04, value))
                + " := \(value.count) bytes"
        case 14:
            if let signerInfo = paths.signerInfo {
                tree.update(signerInfo + [1]) { identifier in
                    var bytes = identifier.encoded
                    guard bytes.count > 4 else { return }
                    bytes[bytes.count - 1] ^= 0x01
                    if let (edited, _) = DERNode.parseOne(bytes[...]) { identifier = edited }
                }
            }
            description = "signer identifier's last byte flipped"
            signedPartChanged = false
        case 15:
            let values: [(UInt8, String)] = [(0x18, "20261130120000Z"), (0x17, "261330120000Z"), (0x17, "2611301200Z"),
                                             (0x17, "261130120000+0100"), (0x18, "20261130120000.5Z"), (0x17, "261130120060Z"),
                                             (0x17, "26113012000Z"), (0x0C, "261130120000Z")]
            let (tag, text) = entropy.pick(values)
            description = setAttribute(&tree, attributes, type: ObjectIdentifiers.signingTime, value: DERNode(tag: tag, Array(text.utf8)))
                + " := \(text)"
        default:
            description = TreeEdits.apply(&tree, using: &entropy)
            signedPartChanged = entropy.chance(1, in: 2)
        }
        if contentChanged, entropy.chance(7, in: 8) {
            refreshMessageDigest(&tree)
            description += ", messageDigest refreshed"
        }
        if signedPartChanged, entropy.chance(3, in: 4), resign(&tree) {
            description += ", re-signed"
        }
        return description
    }

    // MARK: Attributes

    private func editAttributes(_ tree: inout DERNode, _ path: [Int]?, using entropy: inout some MutationEntropy) -> String {
        guard let path, let attributes = tree[path]?.children, !attributes.isEmpty else { return "no signed attributes" }
        let index = entropy.below(attributes.count)
        switch entropy.below(5) {
        case 0:
            tree.updateChildren(path) { $0.insert(attributes[index], at: entropy.below($0.count + 1)) }
            return "signed attribute \(index) twice"
        case 1:
            tree.update(path + [index, 1]) { values in
                guard case .constructed(var list) = values.content, let first = list.first else { return }
                list.append(entropy.chance(1, in: 2) ? first : DERNode(tag: 0x05, []))
                values.content = .constructed(list)
            }
            return "signed attribute \(index) with a second value"
        case 2:
            tree.updateChildren(path) { $0.remove(at: index) }
            return "signed attribute \(index) removed"
        case 3:
            tree.updateChildren(path) { $0.swapAt(index, entropy.below($0.count)) }
            return "signed attributes reordered"
        default:
            let (oid, name) = entropy.pick(ObjectIdentifiers.attributes)
            let value = entropy.chance(1, in: 2) ? DERNode(tag: 0x04, [0]) : DERNode(tag: 0x30, children: [])
            let attribute = DERNode(tag: 0x30, children: [DERNode(tag: 0x06, oid), DERNode(tag: 0x31, children: [value])])
            tree.updateChildren(path) { $0.insert(attribute, at: entropy.below($0.count + 1)) }
            return "signed attribute \(name) added"
        }
    }

    /// Sets the value of the first attribute of `type` (adds the attribute when there is none).
    private func setAttribute(_ tree: inout DERNode, _ path: [Int]?, type: [UInt8], value: DERNode) -> String {
        guard let path, let attributes = tree[path]?.children else { return "no signed attributes" }
        let attribute = DERNode(tag: 0x30, children: [DERNode(tag: 0x06, type), DERNode(tag: 0x31, children: [value])])
        if let index = attributes.firstIndex(where: { $0.children.first?.primitiveBytes == type }) {
            tree.update(path + [index]) { $0 = attribute }
            return "signed attribute \(index) value"
        }
        tree.updateChildren(path) { $0.append(attribute) }
        return "signed attribute added"
    }

    // MARK: Content, digest and signature

    private func newContent(_ tree: inout DERNode, _ paths: CMSPaths, using entropy: inout some MutationEntropy) -> String {
        guard let content = tree[paths.content]?.primitiveBytes else { return "no content" }
        let text = String(decoding: content, as: UTF8.self)
        let (changed, what): (String, String) = switch entropy.below(9) {
        case 0: (text.replacingFirst("\"licenseId\":\"", with: "\"licenseId\":\"m-"), "another licenseId")
        case 1: (text.replacingFirst("\"issued\":\"20", with: "\"issued\":\"19"), "issued a century earlier")
        case 2: (text.replacingFirst("\"issued\":\"20", with: "\"issued\":\"21"), "issued a century later")
        case 3: (text.replacingFirst("\"format\":1", with: "\"format\":2"), "format 2")
        case 4: ("{}", "an empty object")
        case 5: (text + String(repeating: " ", count: 66_000), "padded beyond 64 KiB")
        case 6: (" " + text + "\n", "white space around it")
        case 7: (String(text.dropLast()), "truncated JSON")
        default: (text.replacingFirst("{", with: "{\"extra\":[1,{\"a\":null}],"), "an extra field")
        }
        tree.update(paths.content) { $0.content = .primitive(Array(changed.utf8)) }
        return "content: \(what)"
    }

    private func refreshMessageDigest(_ tree: inout DERNode) {
        guard let keys, let paths = CMSPaths(tree), let attributes = paths.signedAttributes,
              let content = tree[paths.content]?.primitiveBytes,
              let oid = paths.signerDigest.flatMap({ tree[$0 + [0]]?.primitiveBytes }),
              let digest = keys.digest(content, algorithm: ObjectIdentifiers.digestName(oid) ?? "SHA256")
        else { return }
        _ = setAttribute(&tree, attributes, type: ObjectIdentifiers.messageDigest, value: DERNode(tag: 0x04, digest))
    }

    /// A new signature over the signed attributes re-tagged SET (or over the content when
    /// there are none), with the SignerInfo's digest algorithm; false when it cannot be made.
    private func resign(_ tree: inout DERNode) -> Bool {
        guard let keys, let paths = CMSPaths(tree), let signature = paths.signature else { return false }
        let oid = paths.signerDigest.flatMap { tree[$0 + [0]]?.primitiveBytes } ?? []
        let algorithm = ObjectIdentifiers.digestName(oid) ?? "SHA256"
        var signed: [UInt8]
        if let attributes = paths.signedAttributes, let node = tree[attributes] {
            signed = node.encoded
            signed[0] = 0x31
        } else if let content = tree[paths.content]?.primitiveBytes {
            signed = content
        } else {
            return false
        }
        guard let value = keys.sign(signed, algorithm: algorithm) else { return false }
        tree.update(signature) { $0.content = .primitive(value) }
        return true
    }

    private func algorithmIdentifier(_ oid: [UInt8], using entropy: inout some MutationEntropy) -> DERNode {
        switch entropy.below(4) {
        case 0: DERNode(tag: 0x30, children: [DERNode(tag: 0x06, oid), DERNode(tag: 0x05, [])])
        case 1: DERNode(tag: 0x30, children: [DERNode(tag: 0x06, oid), DERNode(tag: 0x04, [0])])
        default: DERNode(tag: 0x30, children: [DERNode(tag: 0x06, oid)])
        }
    }

    // MARK: Certificates

    private func editCertificates(_ tree: inout DERNode, _ paths: CMSPaths, using entropy: inout some MutationEntropy) -> String {
        guard let field = paths.certificates, let certificates = tree[field]?.children, !certificates.isEmpty else {
            return "no certificates"
        }
        let index = entropy.below(certificates.count)
        switch entropy.below(5) {
        case 0:
            tree.updateChildren(field) { $0.swapAt(index, entropy.below($0.count)) }
            return "certificates reordered"
        case 1:
            tree.updateChildren(field) { $0.remove(at: index) }
            return "certificate \(index) removed"
        case 2:
            tree.updateChildren(field) { $0.insert(certificates[index], at: entropy.below($0.count + 1)) }
            return "certificate \(index) twice"
        case 3 where !certificatePool.isEmpty:
            tree.updateChildren(field) { $0[index] = entropy.pick(certificatePool) }
            return "certificate \(index) replaced by another license's"
        default:
            guard !certificatePool.isEmpty else { return "no other certificates" }
            tree.updateChildren(field) { $0.insert(entropy.pick(certificatePool), at: entropy.below($0.count + 1)) }
            return "another license's certificate added"
        }
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}
