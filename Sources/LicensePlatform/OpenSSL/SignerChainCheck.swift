internal import COpenSSL
import LicensePolicy

/// Chain, trust and revocation rules for one signer certificate at one instant
/// (LICENSE-FORMAT.md "Envelope", "Clock policy"), independent of any one license so that
/// the result can be cached for the instants the verified chain covers.
///
/// - The chain is built by OpenSSL from the signer through the certificates carried in the
///   CMS (untrusted intermediates) to a keyring anchor, for the licensing purpose
///   (`CodeSigningPurpose`: codeSigning leaf, CAs not restricted to other purposes, keyring
///   trust settings), **at the document's `issued` time**: validity is checked then, and a
///   re-issued CA is found in the copy that was valid then.
/// - RSA under 2048 bits, EC under 256 bits and DSA keys anywhere in the chain are refused;
///   so are MD5 and SHA-1 certificate signatures, except the self-signature of the trust
///   anchor, which proves nothing and is not relied on (trust comes from the keyring).
/// - Revocation is checked by hand rather than with `X509_V_FLAG_CRL_CHECK`: for each
///   certificate of the chain, the CRLs named for its issuer whose signature verifies with
///   that issuer's key (taken from the verified chain) are searched for it. OpenSSL's own
///   CRL check would also judge the CRLs' thisUpdate/nextUpdate against the verification
///   time and demand a CRL for every CA once enabled; here a CA without a CRL in the file
///   simply has nothing revoked.
struct SignerChainCheck {
    /// Identifies a signer in a given CMS context: its SHA-256 fingerprint and the
    /// fingerprints of the certificates the CMS carries.
    struct Key: Hashable {
        let signer: [UInt8]
        let carried: Set<[UInt8]>

        init(signer: X509Certificate, carried: [X509Certificate]) {
            self.signer = signer.fingerprint
            self.carried = Set(carried.map(\.fingerprint))
        }
    }

    enum Outcome {
        /// Trusted, and would be at every instant of `validity` (the chain's common window).
        case trusted(SignerFacts, validity: ClosedRange<Timestamp>)
        case refused(Verdict, String)
    }

    let trust: TrustAnchors

    /// The outcome at `instant` (the document's `issued`); without an instant, dates are not
    /// judged (used only to order verdicts when the document itself cannot be read).
    func evaluate(signer: X509Certificate, carried: [X509Certificate], at instant: Timestamp?) -> Outcome {
        let chain: [X509Certificate]
        do {
            let context = try X509StoreContext(store: trust.store(), leaf: signer, intermediates: carried, at: instant)
            switch context.verifiedChain() {
            case .success(let verified): chain = verified
            case .failure(let failure):
                // OpenSSL treats notAfter as exclusive; RFC 5280 (and the contract) includes it.
                // A chain that "expired" exactly at the instant is valid a second before.
                if let instant, failure.code == X509_V_ERR_CERT_HAS_EXPIRED, failure.notAfter == instant {
                    return evaluate(signer: signer, carried: carried, at: instant.adding(seconds: -1))
                }
                return .refused(.untrusted, explain(failure, signer: signer, at: instant))
            }
        } catch {
            return .refused(.untrusted, "the signer's chain could not be checked: \(error.sentence)")
        }
        for (position, certificate) in chain.enumerated() {
            if let weakness = certificate.publicKeyWeakness {
                return .refused(.untrusted, "the certificate \(certificate.subject) is too weak: \(weakness)")
            }
            let isAnchor = position == chain.count - 1 && certificate.isSelfIssued
            if !isAnchor, let digest = certificate.weakSignatureDigest {
                return .refused(.untrusted, "the certificate \(certificate.subject) is signed with a \(digest) digest, which is refused")
            }
        }
        if let revoked = firstRevoked(in: chain) {
            return .refused(.revoked, "the certificate \(revoked.subject) (serial \(revoked.serialHex)) is revoked by its issuer's CRL")
        }
        return window(of: chain, signer: signer)
    }

    /// OpenSSL's reason, in the words of the licensing rules where they are more precise.
    private func explain(_ failure: X509StoreContext.ChainFailure, signer: X509Certificate, at instant: Timestamp?) -> String {
        let when = instant.map { " at the license's issue time \($0)" } ?? ""
        if failure.isPurposeFailure, failure.depth == 0 {
            if !signer.hasCodeSigningUsage {
                return "the signer certificate \(signer.subject) lacks extendedKeyUsage codeSigning"
            }
            if !signer.keyUsageAllowsSigning {
                return "the signer certificate \(signer.subject) has keyUsage without digitalSignature"
            }
        }
        if failure.isPurposeFailure, let subject = failure.subject {
            return "the CA certificate \(subject) may not issue license signers (its extendedKeyUsage does not allow code signing)"
        }
        if failure.isRejectedByTrustSettings, let subject = failure.subject {
            return "the keyring's trust settings reject code signing for \(subject)"
        }
        if failure.isMissingIssuer {
            return "the signer's chain does not reach a keyring anchor\(when): \(failure.description)"
        }
        return "the signer's chain does not verify\(when): \(failure.description)"
    }

    /// The first certificate of the chain (leaf first) that its issuer's CRL lists.
    private func firstRevoked(in chain: [X509Certificate]) -> X509Certificate? {
        guard trust.checksRevocation else { return nil }
        for (position, certificate) in chain.enumerated() where position + 1 < chain.count {
            let issuer = chain[position + 1]
            if trust.revocationLists(for: certificate, issuedBy: issuer).contains(where: { $0.lists(certificate) }) {
                return certificate
            }
        }
        return nil
    }

    /// The instants at which every certificate of the chain is valid (inclusive, RFC 5280).
    private func window(of chain: [X509Certificate], signer: X509Certificate) -> Outcome {
        var from: Timestamp?
        var until: Timestamp?
        for certificate in chain {
            guard let start = certificate.notBefore, let end = certificate.notAfter else {
                return .refused(.untrusted, "the certificate \(certificate.subject) has an unreadable validity period")
            }
            from = max(from ?? start, start)
            until = min(until ?? end, end)
        }
        guard let from, let until, from <= until else { return .refused(.untrusted, "the signer's chain is never valid") }
        return .trusted(SignerFacts(subject: signer.subject), validity: from...until)
    }
}
