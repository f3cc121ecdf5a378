/// Where the parts of a license's CMS SignedData are, found by a strict walk over its DER
/// (RFC 5652 §5), or nil when the structure is not the one plain shape the fast path knows.
///
/// The shape is what `openssl cms -sign -binary -nodetach -md sha256|sha384|sha512` makes
/// (LICENSE-FORMAT.md "Envelope"), and nothing else:
///
///     ContentInfo { id-signedData, [0] SignedData }              nothing after it
///     SignedData {
///       version 1 or 3,
///       digestAlgorithms: exactly one, SHA-256/384/512 (parameters absent or NULL),
///       encapContentInfo { id-data, [0] one primitive OCTET STRING },
///       certificates [0]: one or more certificates (no other CertificateChoices),
///       (no crls),
///       signerInfos: exactly one SignerInfo {
///         version 1 with issuerAndSerialNumber, or 3 with [0] subjectKeyIdentifier,
///         digestAlgorithm: the envelope's digest algorithm,
///         signedAttrs [0]: see `SignedAttributes`,
///         signatureAlgorithm: an OID with absent or NULL parameters (judged against the key
///           by `FastLicenseVerifier`),
///         signature OCTET STRING,
///         (no unsignedAttrs) } }
///
/// The layout only locates and shape-checks; no signature, digest or certificate is judged
/// here. Ranges index into `der`.
struct SignedDataLayout {
    /// The digests the fast path verifies with (RFC 5754); MD5 and SHA-1 never get here.
    enum DigestAlgorithm: Sendable {
        case sha256, sha384, sha512

        /// libcrypto's name for `EVP_MD_fetch`.
        var name: String {
            switch self {
            case .sha256: "SHA256"
            case .sha384: "SHA384"
            case .sha512: "SHA512"
            }
        }

        var outputSize: Int {
            switch self {
            case .sha256: 32
            case .sha384: 48
            case .sha512: 64
            }
        }
    }

    let der: [UInt8]
    /// The encapsulated content: the license document.
    let content: Range<Int>
    /// The whole `certificates [0]` field, tag included (part of the fast path's cache key).
    let certificatesField: Range<Int>
    /// Each carried certificate, in order.
    let certificates: [Range<Int>]
    /// The SignerInfo's `sid`, tag included (part of the cache key).
    let signerIdentifier: Range<Int>
    let digest: DigestAlgorithm
    /// The signed attributes as they appear (tag `[0]`), and what they say.
    let signedAttributes: SignedAttributes
    /// The signatureAlgorithm OID's content octets and whether it carried NULL parameters.
    let signatureAlgorithm: Range<Int>
    let signatureAlgorithmHasNullParameters: Bool
    let signature: Range<Int>

    // Object identifiers, as DER content octets.
    static let idSignedData: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]
    static let idData: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01]
    static let digestAlgorithms: [(oid: [UInt8], algorithm: DigestAlgorithm)] = [
        ([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01], .sha256),
        ([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02], .sha384),
        ([0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03], .sha512),
    ]

    /// The layout of a license file as it lies on disk: DER when it starts like DER, as the
    /// full path decides; else the strict PEM block (`StrictPEM`).
    init?(licenseFile bytes: [UInt8]) {
        if bytes.first == StrictDER.sequence {
            self.init(der: bytes)
        } else if let der = StrictPEM.decode(bytes) {
            self.init(der: der)
        } else {
            return nil
        }
    }

    init?(der: [UInt8]) {
        self.der = der
        var top = StrictDER(der)
        guard let contentInfo = top.next(StrictDER.sequence), top.isAtEnd,
              var info = top.children(of: contentInfo),
              let type = info.next(StrictDER.objectIdentifier), info.content(of: type, is: Self.idSignedData),
              let explicit = info.next(StrictDER.contextConstructed0), info.isAtEnd,
              var wrapper = info.children(of: explicit),
              let signedData = wrapper.next(StrictDER.sequence), wrapper.isAtEnd,
              var fields = wrapper.children(of: signedData)
        else { return nil }

        // version, digestAlgorithms
        guard let version = fields.next(StrictDER.integer),
              fields.content(of: version, is: [1]) || fields.content(of: version, is: [3]),
              let digestSet = fields.next(StrictDER.set), var digests = fields.children(of: digestSet),
              let envelopeDigest = Self.digestAlgorithm(&digests), digests.isAtEnd
        else { return nil }

        // encapContentInfo
        guard let encapsulated = fields.next(StrictDER.sequence), var encap = fields.children(of: encapsulated),
              let contentType = encap.next(StrictDER.objectIdentifier), encap.content(of: contentType, is: Self.idData),
              let eContent = encap.next(StrictDER.contextConstructed0), encap.isAtEnd,
              var octets = encap.children(of: eContent),
              let content = octets.next(StrictDER.octetString), octets.isAtEnd
        else { return nil }

        // certificates [0]: plain certificates only; no crls [1].
        guard let certificatesField = fields.next(StrictDER.contextConstructed0),
              var carried = fields.children(of: certificatesField)
        else { return nil }
        var certificates: [Range<Int>] = []
        while !carried.isAtEnd {
            guard let certificate = carried.next(StrictDER.sequence) else { return nil }
            certificates.append(certificate.range)
        }
        guard !certificates.isEmpty else { return nil }

        // signerInfos: exactly one.
        guard let signerSet = fields.next(StrictDER.set), fields.isAtEnd,
              var signers = fields.children(of: signerSet),
              let signerInfo = signers.next(StrictDER.sequence), signers.isAtEnd,
              var signer = signers.children(of: signerInfo)
        else { return nil }

        // SignerInfo: version 1 goes with issuerAndSerialNumber, version 3 with subjectKeyIdentifier.
        guard let signerVersion = signer.next(StrictDER.integer) else { return nil }
        let identifier: StrictDER.Element?
        if signer.content(of: signerVersion, is: [1]) {
            identifier = signer.next(StrictDER.sequence)
        } else if signer.content(of: signerVersion, is: [3]) {
            identifier = signer.next(StrictDER.contextPrimitive0)
        } else {
            identifier = nil
        }
        guard let identifier, signer.isWellFormed(identifier),
              let signerDigest = Self.digestAlgorithm(&signer), signerDigest == envelopeDigest,
              let attributes = signer.next(StrictDER.contextConstructed0),
              let signedAttributes = SignedAttributes(der, attributes),
              let algorithm = signer.next(StrictDER.sequence), var algorithmFields = signer.children(of: algorithm),
              let algorithmOID = algorithmFields.next(StrictDER.objectIdentifier),
              let signature = signer.next(StrictDER.octetString), signer.isAtEnd
        else { return nil }
        var nullParameters = false
        if let parameters = algorithmFields.next() {
            guard parameters.tag == StrictDER.null, parameters.content.isEmpty else { return nil }
            nullParameters = true
        }
        guard algorithmFields.isAtEnd else { return nil }

        self.content = content.content
        self.certificatesField = certificatesField.range
        self.certificates = certificates
        self.signerIdentifier = identifier.range
        self.digest = envelopeDigest
        self.signedAttributes = signedAttributes
        self.signatureAlgorithm = algorithmOID.content
        self.signatureAlgorithmHasNullParameters = nullParameters
        self.signature = signature.content
    }

    /// Reads an AlgorithmIdentifier naming SHA-256, SHA-384 or SHA-512, with absent or NULL
    /// parameters (RFC 5754 §2); nil for any other.
    private static func digestAlgorithm(_ reader: inout StrictDER) -> DigestAlgorithm? {
        guard let identifier = reader.next(StrictDER.sequence), var fields = reader.children(of: identifier),
              let oid = fields.next(StrictDER.objectIdentifier),
              let known = digestAlgorithms.first(where: { fields.content(of: oid, is: $0.oid) })
        else { return nil }
        if let parameters = fields.next() {
            guard parameters.tag == StrictDER.null, parameters.content.isEmpty else { return nil }
        }
        return fields.isAtEnd ? known.algorithm : nil
    }
}
