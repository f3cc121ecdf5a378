internal import COpenSSL
import LicensePolicy

/// Verifies license files with libcrypto (LICENSE-FORMAT.md "Envelope", "Verdicts").
///
/// `check` decides in the contract's order and stops at the first refusal:
/// 1. size and parse: at most 64 KiB (the whole file, text around a PEM block included), DER
///    or PEM CMS as `CMSSignedData` reads it, SignedData with encapsulated content and
///    exactly one SignerInfo, else `malformed`;
/// 2. signature: content digest and signature against the signer certificate carried in
///    the CMS, else `bad-signature` (`untrusted` when the signer certificate is absent);
/// 3. digest strength of the SignerInfo, then chain, trust and revocation at the document's
///    `issued` time (see `SignerChainCheck`), else `untrusted` or `revoked`;
/// 4. the document (`LicenseDocument.parse`), else `malformed` or `unsupported-format`.
/// Step 3 needs `issued` from step 4: a document that cannot be read is judged with a
/// chain check that ignores dates, so that an untrusted file is still called untrusted.
///
/// Trusted chains are cached per signer certificate and set of carried certificates,
/// together with the instants the chain covers, so a directory of licenses from one signer
/// builds and checks the chain once. The keyring and CRLs are read once, at init. One
/// verifier is used from one thread at a time.
///
/// `FastLicenseVerifier` (issue 10) is asked first: it may only prove a file valid, for about
/// one signature, after this full path verified a file of the same chain; whatever it cannot
/// prove comes here, so every refusal is this path's.
public final class CMSLicenseVerifier: SignatureChecking {
    private let trust: TrustAnchors
    private var trustedChains: [SignerChainCheck.Key: [(validity: ClosedRange<Timestamp>, signer: SignerFacts)]] = [:]
    private let cachesChains: Bool
    /// The fast path consulted before the full check; nil when switched off.
    public let fastPath: FastLicenseVerifier?

    /// - Parameters:
    ///   - keyringPath: PEM file with one or more CA certificates (trust anchors only).
    ///   - crlPath: optional PEM file with CRLs; nil or a missing file means no revocation
    ///     checking, a present file that does not parse is an error.
    ///   - fastPath: ask `FastLicenseVerifier` first (the default). Off, every file takes the
    ///     full path: the reference of the differential tests.
    ///   - cachesChains: remember trusted chains (the default). Off, every file's chain is
    ///     built and judged anew: the uncached reference of the differential tests.
    /// - Throws: `AgentError` with code `.keyringMissing`, `.keyringUnusable` or `.crlUnusable`, the path and the cause.
    public init(keyringPath: String, crlPath: String?, fastPath: Bool = true, cachesChains: Bool = true) throws(AgentError) {
        LibCrypto.initialize()
        trust = try TrustAnchors(keyringPath: keyringPath, crlPath: crlPath)
        self.cachesChains = cachesChains
        self.fastPath = fastPath ? FastLicenseVerifier() : nil
    }

    /// Revocation is checked (a CRL file was present and read).
    public var checksRevocation: Bool { trust.checksRevocation }

    public func check(_ bytes: [UInt8]) -> SignatureCheck {
        if let proof = fastPath?.verify(bytes) { return .verified(proof.document, signer: proof.signer) }
        return fullCheck(bytes)
    }

    /// The `CMS_verify` path: every verdict, in the contract's order.
    private func fullCheck(_ bytes: [UInt8]) -> SignatureCheck {
        OpenSSLErrorQueue.clear()
        defer { OpenSSLErrorQueue.clear() }
        guard bytes.count <= LicenseLimits.maximumFileSize else {
            return .refused(.malformed, detail: "the file is larger than 64 KiB (\(bytes.count) bytes)")
        }
        guard !bytes.isEmpty else { return .refused(.malformed, detail: "the file is empty") }
        guard let envelope = CMSSignedData(parsing: bytes) else {
            let form = CMSSignedData.containsPEMBegin(bytes) ? "PEM" : "DER"
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
        let carried = envelope.certificates
        let document: LicenseDocument
        do {
            document = try LicenseDocument.parse(content)
        } catch {
            if case .refused(let verdict, let detail) = chainOutcome(signer: signer, carried: carried, at: nil) {
                return .refused(verdict, detail: detail)
            }
            return .refused(error.verdict, detail: error.detail)
        }
        switch chainOutcome(signer: signer, carried: carried, at: document.issued) {
        case .refused(let verdict, let detail): return .refused(verdict, detail: detail)
        case .trusted(let facts, let validity):
            fastPath?.learn(from: bytes, signer: signer, validity: validity, facts: facts)
            return .verified(document, signer: facts)
        }
    }

    /// The outcome for this signer and carried set at `instant`: from the cache when a
    /// chain already verified covers the instant, else computed (and cached when trusted).
    private func chainOutcome(signer: X509Certificate, carried: [X509Certificate], at instant: Timestamp?) -> SignerChainCheck.Outcome {
        let key = SignerChainCheck.Key(signer: signer, carried: carried)
        if cachesChains, let instant, let known = trustedChains[key]?.first(where: { $0.validity.contains(instant) }) {
            return .trusted(known.signer, validity: known.validity)
        }
        let outcome = SignerChainCheck(trust: trust).evaluate(signer: signer, carried: carried, at: instant)
        if cachesChains, instant != nil, case .trusted(let facts, let validity) = outcome {
            trustedChains[key, default: []].append((validity, facts))
        }
        return outcome
    }
}
