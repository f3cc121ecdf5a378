internal import COpenSSL
import LicensePolicy

/// The full verification path: `CMS_verify` and the X.509 chain check, every verdict in the
/// contract's order (LICENSE-FORMAT.md "Envelope", "Verdicts"). It stops at the first refusal:
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
/// It is the only writer of `TrustedChains`: a chain trusted at a document's `issued` is
/// recorded with the window of instants it covers, and a later file of the same chain at an
/// instant inside a recorded window is trusted from the record instead of building the chain
/// again. Without a cache (the differential tests' reference), every chain is built anew.
final class FullLicenseVerifier: SignatureChecking {
    private let trust: TrustAnchors
    private let chains: TrustedChains?

    init(trust: TrustAnchors, chains: TrustedChains?) {
        self.trust = trust
        self.chains = chains
    }

    func check(_ bytes: [UInt8]) -> SignatureCheck {
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
            if case .refused(let verdict, let detail) = SignerChainCheck(trust: trust).evaluate(signer: signer, carried: carried, at: nil) {
                return .refused(verdict, detail: detail)
            }
            return .refused(error.verdict, detail: error.detail)
        }
        guard let chains else {
            switch SignerChainCheck(trust: trust).evaluate(signer: signer, carried: carried, at: document.issued) {
            case .refused(let verdict, let detail): return .refused(verdict, detail: detail)
            case .trusted(let facts, _): return .verified(document, signer: facts)
            }
        }
        let key = SignerChainCheck.Key(signer: signer, carried: carried)
        let window: TrustedChain.Window
        if let known = chains.window(for: key, at: document.issued) {
            window = known
        } else {
            switch SignerChainCheck(trust: trust).evaluate(signer: signer, carried: carried, at: document.issued) {
            case .refused(let verdict, let detail): return .refused(verdict, detail: detail)
            case .trusted(let facts, let validity): window = TrustedChain.Window(validity: validity, signer: facts)
            }
        }
        chains.record(window, key: key, signer: signer, layout: SignedDataLayout(licenseFile: bytes))
        return .verified(document, signer: window.signer)
    }
}
