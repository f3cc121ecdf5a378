import COpenSSL
import LicensePolicy

/// Chain, trust and revocation rules for one signer certificate (LICENSE-FORMAT.md
/// "Envelope"), independent of any one license so that the result can be cached.
///
/// - The chain is built from the signer through the certificates carried in the CMS
///   (untrusted intermediates) to a keyring anchor, ignoring validity dates
///   (`X509_V_FLAG_NO_CHECK_TIME`). The clock policy checks the document's `issued` time
///   against the window returned in `SignerFacts`: latest notBefore, earliest notAfter.
/// - The signer needs extendedKeyUsage `codeSigning`, and `digitalSignature` if it has keyUsage.
/// - RSA under 2048 bits, EC under 256 bits, anywhere in the chain, are refused; so are MD5
///   and SHA-1 certificate signatures, except the self-signature of the trust anchor, which
///   proves nothing and is not relied on (trust in an anchor comes from the keyring).
/// - Revocation is checked by hand rather than with `X509_V_FLAG_CRL_CHECK`: for each
///   certificate of the chain, the CRLs named for its issuer whose signature verifies with
///   that issuer's key (taken from the verified chain) are searched for it. OpenSSL's own
///   CRL check would also judge the CRLs' thisUpdate/nextUpdate against the device clock,
///   which the clock policy must not depend on, and would demand a CRL for every CA once
///   enabled; here a CA without a CRL in the file simply has nothing revoked.
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
        case trusted(SignerFacts)
        case refused(Verdict, String)
    }

    let trust: TrustAnchors

    func evaluate(signer: X509Certificate, carried: [X509Certificate]) -> Outcome {
        let chain: [X509Certificate]
        do {
            let context = try X509StoreContext(store: trust.store, leaf: signer, intermediates: carried)
            switch context.verifiedChain() {
            case .success(let verified): chain = verified
            case .failure(let failure):
                return .refused(.untrusted, "the signer's chain does not reach a keyring anchor: \(failure.description)")
            }
        } catch {
            return .refused(.untrusted, "the signer's chain could not be checked: \(error.sentence)")
        }
        guard signer.hasCodeSigningUsage else {
            return .refused(.untrusted, "the signer certificate \(signer.subject) lacks extendedKeyUsage codeSigning")
        }
        guard signer.keyUsageAllowsSigning else {
            return .refused(.untrusted, "the signer certificate \(signer.subject) has keyUsage without digitalSignature")
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

    /// The instants at which every certificate of the chain is valid.
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
        guard let from, let until else { return .refused(.untrusted, "the signer's chain is empty") }
        return .trusted(SignerFacts(subject: signer.subject, chainValidFrom: from, chainValidUntil: until))
    }
}
