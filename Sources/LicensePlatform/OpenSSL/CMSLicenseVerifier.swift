import COpenSSL
import LicensePolicy

/// Verifies the CMS envelope of license files with libcrypto (LICENSE-FORMAT.md "Envelope").
///
/// `check` decides in the contract's order and stops at the first refusal:
/// 1. size and parse: at most 64 KiB, PEM or DER CMS, SignedData with encapsulated
///    content and exactly one SignerInfo, else `malformed`;
/// 2. signature: content digest and signature against the signer certificate carried in
///    the CMS, else `bad-signature` (`untrusted` when the signer certificate is absent);
/// 3. digest strength of the SignerInfo, then chain, trust and revocation (see
///    `SignerChainCheck`), else `untrusted` or `revoked`.
///
/// Chain results are cached per signer certificate and set of carried certificates, so a
/// directory of licenses from one signer builds and checks the chain once. The keyring and
/// CRLs are read once, at init. One verifier is used from one thread at a time.
public final class CMSLicenseVerifier: SignatureChecking {
    private let trust: TrustAnchors
    private var chainResults: [SignerChainCheck.Key: SignerChainCheck.Outcome] = [:]

    /// - Parameters:
    ///   - keyringPath: PEM file with one or more CA certificates (trust anchors only).
    ///   - crlPath: optional PEM file with CRLs; nil or a missing file means no revocation
    ///     checking, a present file that does not parse is an error.
    /// - Throws: `AgentError` with code `.keyring`, the path and the cause.
    public init(keyringPath: String, crlPath: String?) throws(AgentError) {
        trust = try TrustAnchors(keyringPath: keyringPath, crlPath: crlPath)
    }

    /// Revocation is checked (a CRL file was present and read).
    public var checksRevocation: Bool { trust.checksRevocation }

    public func check(_ bytes: [UInt8]) -> SignatureCheck {
        defer { OpenSSLErrorQueue.clear() }
        guard bytes.count <= LicenseLimits.maximumFileSize else {
            return .refused(.malformed, detail: "the file is larger than 64 KiB (\(bytes.count) bytes)")
        }
        guard !bytes.isEmpty else { return .refused(.malformed, detail: "the file is empty") }
        guard let envelope = CMSSignedData(parsing: bytes) else {
            let form = CMSSignedData.isPEM(bytes) ? "PEM" : "DER"
            return .refused(.malformed, detail: "the file is not a CMS structure (\(form)) or is truncated")
        }
        guard envelope.isSignedData else {
            return .refused(.malformed, detail: "the CMS structure is not SignedData")
        }
        guard !envelope.isDetached else {
            return .refused(.malformed, detail: "the signature is detached: the document is not encapsulated")
        }
        let signerInfos = envelope.signerInfos
        guard signerInfos.count == 1, let signerInfo = signerInfos.first else {
            return .refused(.malformed, detail: "the CMS has \(signerInfos.count) SignerInfos instead of exactly one")
        }
        guard let signer = envelope.signerCertificate(of: signerInfo) else {
            return .refused(.untrusted, detail: "the signer certificate is not included in the CMS")
        }
        let content: [UInt8]
        switch envelope.verifiedContent() {
        case .success(let verified): content = verified
        case .failure(let failure):
            return .refused(.badSignature, detail: "the signature does not verify: \(failure.summary)")
        }
        if let weak = DigestStrength.weakName(envelope.digestNID(of: signerInfo)) {
            return .refused(.untrusted, detail: "the license is signed with a \(weak) digest, which is refused")
        }
        switch chainOutcome(signer: signer, carried: envelope.certificates) {
        case .refused(let verdict, let detail): return .refused(verdict, detail: detail)
        case .trusted(let facts): return .signed(content: content, signer: facts)
        }
    }

    /// The cached outcome for this signer and carried set, computed on first sight.
    private func chainOutcome(signer: X509Certificate, carried: [X509Certificate]) -> SignerChainCheck.Outcome {
        let key = SignerChainCheck.Key(signer: signer, carried: carried)
        if let known = chainResults[key] { return known }
        let outcome = SignerChainCheck(trust: trust).evaluate(signer: signer, carried: carried)
        chainResults[key] = outcome
        return outcome
    }
}
