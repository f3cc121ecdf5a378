internal import COpenSSL
import LicensePolicy

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The verification fast path: proves a license valid for barely more than one signature, or
/// says nothing (issue 10). It can only ever say "verified"; every file it cannot prove, and
/// every signer it has not seen pass the full check, goes to `CMSLicenseVerifier`'s
/// `CMS_verify` path, so every refusal keeps its verdict and its wording.
///
/// A file is proven when all of this holds (else `verify` returns nil):
/// 1. at most 64 KiB, not empty (LICENSE-FORMAT.md "Envelope");
/// 2. DER, or a PEM block laid out exactly as OpenSSL writes it, with plain text before and
///    after it (`StrictPEM`);
/// 3. the one plain SignedData shape of `SignedDataLayout`, with the plain signed
///    attributes of `SignedAttributes`;
/// 4. the exact bytes of its `certificates` field and of its signer identifier were seen in
///    a file whose chain passed the full check (trust, purpose, key usage, key strength, CRL),
///    and the document's `issued` lies in the window that chain was valid for — the same
///    rule, key and window as the full path's chain cache, with an exact-bytes key that is
///    stricter than its fingerprint set (order and duplicates count here);
/// 5. the signature algorithm fits the signer's key and the digest: `ecdsa-with-SHA256/384/512`
///    (no parameters) for an EC key, `rsaEncryption` or `sha256/384/512WithRSAEncryption`
///    (NULL or no parameters) for an RSA key; RSA-PSS and everything else → full path;
/// 6. libcrypto says the content's digest equals `messageDigest`, and that the signature
///    verifies over the DER of the signed attributes with the `[0]` tag re-tagged SET (`0x31`),
///    exactly as `CMS_SignerInfo_verify` signs them;
/// 7. `LicenseDocument.parse` reads the content.
/// The answer is then the full path's: the same document (parsed from the same content
/// bytes) and the same signer facts (those the full check gave for that chain).
///
/// What it remembers comes only from `learn`, which `CMSLicenseVerifier` calls after the full
/// path verified a file; it holds the signer's decoded public key (`SignatureKey`) so that no
/// license after the first decodes a key. One verifier is used from one thread at a time.
public final class FastLicenseVerifier {
    /// What the fast path proved: the full path's `.verified` answer, nothing else.
    public struct Proof: Sendable, Equatable {
        public let document: LicenseDocument
        public let signer: SignerFacts

        public init(document: LicenseDocument, signer: SignerFacts) {
            self.document = document
            self.signer = signer
        }
    }

    /// A chain the full path trusted, identified by the exact bytes it came in, and the
    /// windows in which it was trusted.
    private final class TrustedChain {
        let certificatesField: [UInt8]
        let signerIdentifier: [UInt8]
        let key: SignatureKey
        var windows: [(validity: ClosedRange<Timestamp>, signer: SignerFacts)] = []

        init(_ layout: SignedDataLayout, key: SignatureKey) {
            certificatesField = Array(layout.der[layout.certificatesField])
            signerIdentifier = Array(layout.der[layout.signerIdentifier])
            self.key = key
        }

        /// The layout carries exactly these certificate and signer identifier bytes.
        func matches(_ layout: SignedDataLayout) -> Bool {
            Self.equal(layout.der, layout.certificatesField, certificatesField)
                && Self.equal(layout.der, layout.signerIdentifier, signerIdentifier)
        }

        private static func equal(_ bytes: [UInt8], _ range: Range<Int>, _ other: [UInt8]) -> Bool {
            guard range.count == other.count else { return false }
            return bytes.withUnsafeBytes { buffer in
                other.withUnsafeBytes { memcmp(buffer.baseAddress! + range.lowerBound, $0.baseAddress!, range.count) == 0 }
            }
        }
    }

    /// More distinct chains than any real device has; beyond it nothing more is learned.
    static let maximumChains = 64

    /// Few (one a signer, in practice): searched in order, compared byte for byte.
    private var chains: [TrustedChain] = []
    /// Decoded signer keys by the signer certificate's exact DER.
    private var keys: [[UInt8]: SignatureKey] = [:]
    /// Fetched at first use: each fetch costs OpenSSL 3.0 a provider look-up (0.3 M
    /// instructions), which a device without licenses, or with SHA-256 ones only, never needs.
    private var digests: [SignedDataLayout.DigestAlgorithm: MessageDigest] = [:]

    public init() {}

    private func digest(_ algorithm: SignedDataLayout.DigestAlgorithm) -> MessageDigest? {
        if let digest = digests[algorithm] { return digest }
        let digest = MessageDigest(algorithm)
        digests[algorithm] = digest
        return digest
    }

    /// How many chains it knows (for tests).
    public var knownChains: Int { chains.count }

    /// The full path's answer for `bytes` when the fast path can prove it valid; nil when it
    /// cannot (which says nothing about the file).
    public func verify(_ bytes: [UInt8]) -> Proof? {
        guard !chains.isEmpty, !bytes.isEmpty, bytes.count <= LicenseLimits.maximumFileSize,
              let layout = Self.layout(of: bytes),
              let chain = chains.first(where: { $0.matches(layout) }),
              Self.signatureAlgorithmFits(layout, chain.key.kind),
              let digest = digest(layout.digest)
        else { return nil }
        defer { OpenSSLErrorQueue.clear() }
        let attributes = layout.signedAttributes
        guard digest.digest(of: layout.content, in: layout.der, equals: attributes.messageDigest),
              chain.key.verifies(signature: layout.signature, over: [StrictDER.set],
                                 then: (attributes.range.lowerBound + 1)..<attributes.range.upperBound,
                                 of: layout.der, digest: digest),
              let document = try? LicenseDocument.parse(Array(layout.der[layout.content])),
              let window = chain.windows.first(where: { $0.validity.contains(document.issued) })
        else { return nil }
        return Proof(document: document, signer: window.signer)
    }

    /// Remembers the chain of a file the full path just verified: `signer` is the certificate
    /// `CMS_verify` used, `validity` the instants its trusted chain covers, `facts` what the
    /// full path answered. Files outside the fast path's shape teach it nothing.
    func learn(from bytes: [UInt8], signer: X509Certificate, validity: ClosedRange<Timestamp>, facts: SignerFacts) {
        guard let layout = Self.layout(of: bytes) else { return }
        if let known = chains.first(where: { $0.matches(layout) }) {
            if !known.windows.contains(where: { $0.validity == validity && $0.signer == facts }) {
                known.windows.append((validity, facts))
            }
            return
        }
        guard chains.count < Self.maximumChains else { return }
        // The signer must be one of the carried certificates byte for byte (OpenSSL found it
        // there; a certificate it re-encodes differently is not one the fast path can name).
        let signerDER = signer.der
        guard layout.certificates.contains(where: { layout.der[$0].elementsEqual(signerDER) }),
              let key = keys[signerDER] ?? SignatureKey(of: signer)
        else { return }
        keys[signerDER] = key
        let chain = TrustedChain(layout, key: key)
        chain.windows.append((validity, facts))
        chains.append(chain)
    }

    /// DER when the file starts like DER, as the full path decides; else the strict PEM block.
    private static func layout(of bytes: [UInt8]) -> SignedDataLayout? {
        if bytes.first == StrictDER.sequence { return SignedDataLayout(der: bytes) }
        return StrictPEM.decode(bytes).flatMap { SignedDataLayout(der: $0) }
    }

    // Signature algorithms (RFC 5758 §3.2, RFC 8017 Appendix C), as OID content octets.
    private static let ecdsaWith: [SignedDataLayout.DigestAlgorithm: [UInt8]] = [
        .sha256: [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02],
        .sha384: [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03],
        .sha512: [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x04],
    ]
    private static let rsaEncryption: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
    private static let rsaWith: [SignedDataLayout.DigestAlgorithm: [UInt8]] = [
        .sha256: [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B],
        .sha384: [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0C],
        .sha512: [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0D],
    ]

    /// The SignerInfo's signatureAlgorithm is one the fast path verifies with this key kind.
    private static func signatureAlgorithmFits(_ layout: SignedDataLayout, _ kind: SignatureKey.Kind) -> Bool {
        let oid = layout.der[layout.signatureAlgorithm]
        switch kind {
        case .ecdsa:
            return !layout.signatureAlgorithmHasNullParameters && ecdsaWith[layout.digest].map(oid.elementsEqual) == true
        case .rsaPKCS1:
            return oid.elementsEqual(rsaEncryption) || rsaWith[layout.digest].map(oid.elementsEqual) == true
        }
    }
}
