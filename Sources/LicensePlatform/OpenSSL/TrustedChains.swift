import LicensePolicy

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One chain the full path trusted, and everything either path needs to answer for it again:
/// the full path's name for it (the fingerprints of the signer and of the carried set), the
/// exact bytes it came in (signer certificate, `certificates` field, signer identifier), the
/// signer's decoded public key, and each window of instants in which the chain was trusted
/// together with the signer facts the full path answered then.
///
/// The fast path may use a record only when the file carried its certificates and signer
/// identifier in exactly these bytes and its key is one the fast path verifies with; a file
/// outside the fast path's shape is recorded for the full path alone (no exact bytes, no key).
final class TrustedChain {
    /// Instants in which the chain is trusted (every certificate valid, inclusive) and what
    /// the full path answered for them.
    struct Window: Equatable {
        let validity: ClosedRange<Timestamp>
        let signer: SignerFacts
    }

    /// The bytes a file carried its chain in, as the fast path compares them.
    struct ExactForm: Equatable {
        /// The whole `certificates [0]` field, tag included.
        let certificatesField: [UInt8]
        /// The SignerInfo's `sid`, tag included.
        let signerIdentifier: [UInt8]
    }

    /// The full path's name for the chain.
    let key: SignerChainCheck.Key
    /// The signer certificate's exact DER, as the full path used it.
    let signerCertificate: [UInt8]
    /// Nil when the file that taught the chain was not in the fast path's shape.
    let exactForm: ExactForm?
    /// The signer's public key, when the fast path verifies with its kind; nil otherwise.
    let publicKey: SignatureKey?
    /// In the order the full path found them; only `TrustedChains` adds to it.
    fileprivate(set) var windows: [Window]

    fileprivate init(key: SignerChainCheck.Key, signerCertificate: [UInt8], exactForm: ExactForm?,
                     publicKey: SignatureKey?, window: Window) {
        self.key = key
        self.signerCertificate = signerCertificate
        self.exactForm = exactForm
        self.publicKey = publicKey
        windows = [window]
    }

    /// The first window holding `instant`: the chain is trusted then, with these facts.
    func window(containing instant: Timestamp) -> Window? {
        windows.first { $0.validity.contains(instant) }
    }

    /// The layout carries exactly this record's certificate and signer identifier bytes.
    func isCarried(exactlyIn layout: SignedDataLayout) -> Bool {
        guard let exactForm else { return false }
        return Self.equal(layout.der, layout.certificatesField, exactForm.certificatesField)
            && Self.equal(layout.der, layout.signerIdentifier, exactForm.signerIdentifier)
    }

    private static func equal(_ bytes: [UInt8], _ range: Range<Int>, _ other: [UInt8]) -> Bool {
        guard range.count == other.count else { return false }
        return bytes.withUnsafeBytes { buffer in
            other.withUnsafeBytes { memcmp(buffer.baseAddress! + range.lowerBound, $0.baseAddress!, range.count) == 0 }
        }
    }
}

/// The one record of "this chain is trusted" that both verification paths read.
///
/// Only the full path (`FullLicenseVerifier`, after `CMS_verify` and the chain check at the
/// document's `issued`) adds to it; the fast path holds a `Reader`, which cannot. So a rule
/// of the chain check — a date, a CRL, an extension, a key strength — is applied in one place
/// and reaches the fast path only as the records it produced. Refusals are never recorded.
/// One verifier uses it from one thread at a time.
final class TrustedChains {
    /// More distinct chains than any real device has; beyond it nothing more is recorded, and
    /// further chains are checked in full every time (same answers).
    static let maximumChains = 64

    /// Few (one a signer, in practice): searched in order.
    private var chains: [TrustedChain] = []
    /// Decoded signer keys by the signer certificate's exact DER, shared by the records of
    /// one signer, so that no license after the first decodes a key.
    private var keys: [[UInt8]: SignatureKey] = [:]

    init() {}

    /// How many chains are recorded.
    var count: Int { chains.count }

    /// The full path's question: a recorded window for the chain named `key` that holds `instant`.
    func window(for key: SignerChainCheck.Key, at instant: Timestamp) -> TrustedChain.Window? {
        for chain in chains where chain.key == key {
            if let window = chain.window(containing: instant) { return window }
        }
        return nil
    }

    /// Records that the full path trusted the chain `key` for `window`, as carried by the file
    /// whose strict layout is `layout` (nil when the file is outside the fast path's shape)
    /// with `signer` the certificate `CMS_verify` used.
    func record(_ window: TrustedChain.Window, key: SignerChainCheck.Key, signer: X509Certificate,
                layout: SignedDataLayout?) {
        let signerDER = signer.der
        var exactForm = layout.flatMap { Self.exactForm(of: $0, signer: signerDER) }
        var publicKey: SignatureKey?
        if exactForm != nil {
            publicKey = signatureKey(for: signer, der: signerDER)
            // A key the fast path does not verify with: the record is the full path's alone.
            if publicKey == nil { exactForm = nil }
        }
        if let known = chains.first(where: { $0.key == key && $0.exactForm == exactForm }) {
            if !known.windows.contains(window) { known.windows.append(window) }
            return
        }
        guard chains.count < Self.maximumChains else { return }
        chains.append(TrustedChain(key: key, signerCertificate: signerDER, exactForm: exactForm,
                                   publicKey: publicKey, window: window))
    }

    /// The exact bytes of the layout's chain, when the signer is one of its carried
    /// certificates byte for byte (OpenSSL found it there; a certificate it re-encodes
    /// differently is not one the fast path can name).
    private static func exactForm(of layout: SignedDataLayout, signer: [UInt8]) -> TrustedChain.ExactForm? {
        guard layout.certificates.contains(where: { layout.der[$0].elementsEqual(signer) }) else { return nil }
        return TrustedChain.ExactForm(certificatesField: Array(layout.der[layout.certificatesField]),
                                      signerIdentifier: Array(layout.der[layout.signerIdentifier]))
    }

    private func signatureKey(for signer: X509Certificate, der: [UInt8]) -> SignatureKey? {
        if let known = keys[der] { return known }
        let decoded = SignatureKey(of: signer)
        keys[der] = decoded
        return decoded
    }

    /// What the fast path may see of the records: it reads, it never adds.
    var reader: Reader { Reader(chains: self) }

    /// Read access to the records, for the fast path.
    struct Reader {
        fileprivate let chains: TrustedChains

        /// How many chains are recorded.
        var count: Int { chains.count }

        /// The record whose exact bytes the layout carries and whose key the fast path can
        /// use; nil when there is none.
        func chain(carriedExactlyIn layout: SignedDataLayout) -> TrustedChain? {
            chains.chains.first { $0.publicKey != nil && $0.isCarried(exactlyIn: layout) }
        }

        /// Nothing is recorded yet: no file can be proven.
        var isEmpty: Bool { chains.chains.isEmpty }
    }
}
