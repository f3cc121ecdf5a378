import LicensePolicy

/// The verification fast path: proves a license valid for barely more than one signature, or
/// says nothing. It can only ever say "verified"; every file it cannot prove, and every chain
/// the full path has not recorded, goes to `FullLicenseVerifier`, so every refusal keeps its
/// verdict and its wording.
///
/// A file is proven when all of this holds (else `check` returns nil):
/// 1. at most 64 KiB, not empty (LICENSE-FORMAT.md "Envelope");
/// 2. DER, or a PEM block laid out exactly as OpenSSL writes it, with plain text before and
///    after it (`StrictPEM`);
/// 3. the one plain SignedData shape of `SignedDataLayout`, with the plain signed
///    attributes of `SignedAttributes`;
/// 4. `TrustedChains` holds a record of its chain carried in exactly these bytes (its
///    `certificates` field and its signer identifier), which only the full path writes after
///    the chain passed the full check (trust, purpose, key usage, key strength, CRL), and the
///    document's `issued` lies in a window of that record — the full path's own cache rule,
///    with an exact-bytes key that is stricter than its fingerprint set (order and duplicates
///    count here);
/// 5. the signature algorithm fits the signer's key and the digest: `ecdsa-with-SHA256/384/512`
///    (no parameters) for an EC key, `rsaEncryption` or `sha256/384/512WithRSAEncryption`
///    (NULL or no parameters) for an RSA key; RSA-PSS and everything else → full path;
/// 6. libcrypto says the content's digest equals `messageDigest`, and that the signature
///    verifies over the DER of the signed attributes with the `[0]` tag re-tagged SET (`0x31`),
///    exactly as `CMS_SignerInfo_verify` signs them, with the record's decoded key;
/// 7. `LicenseDocument.parse` reads the content.
/// The answer is then the full path's: the same document (parsed from the same content
/// bytes) and the same signer facts (those the full check recorded for that window).
///
/// It reads the records and never adds one. One verifier is used from one thread at a time.
package final class FastLicenseVerifier {
    private let chains: TrustedChains.Reader
    /// Fetched at first use: each fetch costs OpenSSL 3.0 a provider look-up, which a device
    /// without licenses, or with SHA-256 ones only, never needs.
    private var digests: [SignedDataLayout.DigestAlgorithm: MessageDigest] = [:]

    init(chains: TrustedChains.Reader) {
        self.chains = chains
    }

    private func digest(_ algorithm: SignedDataLayout.DigestAlgorithm) -> MessageDigest? {
        if let digest = digests[algorithm] { return digest }
        let digest = MessageDigest(algorithm)
        digests[algorithm] = digest
        return digest
    }

    /// The full path's `.verified` answer for `bytes` when the fast path can prove it; nil when
    /// it cannot (which says nothing about the file).
    package func check(_ bytes: [UInt8]) -> SignatureCheck? {
        guard !chains.isEmpty, !bytes.isEmpty, bytes.count <= LicenseLimits.maximumFileSize,
              let layout = SignedDataLayout(licenseFile: bytes),
              let chain = chains.chain(carriedExactlyIn: layout), let key = chain.publicKey,
              Self.signatureAlgorithmFits(layout, key.kind),
              let digest = digest(layout.digest)
        else { return nil }
        defer { OpenSSLErrorQueue.clear() }
        let attributes = layout.signedAttributes
        guard digest.digest(of: layout.content, in: layout.der, equals: attributes.messageDigest),
              key.verifies(signature: layout.signature, over: [StrictDER.set],
                           then: (attributes.range.lowerBound + 1)..<attributes.range.upperBound,
                           of: layout.der, digest: digest),
              let document = try? LicenseDocument.parse(Array(layout.der[layout.content])),
              let window = chain.window(containing: document.issued)
        else { return nil }
        return .verified(document, signer: window.signer)
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
