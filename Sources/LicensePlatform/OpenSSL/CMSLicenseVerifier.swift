import LicensePolicy

/// Verifies license files with libcrypto (LICENSE-FORMAT.md "Envelope", "Verdicts").
///
/// A composition of two paths with the same answer, over one trust cache:
/// - `FullLicenseVerifier`: `CMS_verify` and the chain check, every verdict in the
///   contract's order; the only one that records a trusted chain (`TrustedChains`);
/// - `FastLicenseVerifier`: proves a file valid for about one signature when the full path
///   recorded its chain; it answers only "verified", with the full path's document and signer
///   facts, and says nothing otherwise, so every refusal and its wording is the full path's.
/// The keyring and CRLs are read once, at init. One verifier is used from one thread at a time.
public final class CMSLicenseVerifier: SignatureChecking {
    private let trust: TrustAnchors
    private let fullPath: FullLicenseVerifier
    /// The trusted chains the full path recorded; nil when caching is switched off.
    private let chains: TrustedChains?
    /// The fast path consulted before the full check; nil when switched off.
    package let fastPath: FastLicenseVerifier?

    /// The agent's verifier: the fast path first, trusted chains cached.
    /// - Parameters:
    ///   - keyringPath: PEM file with one or more CA certificates (trust anchors only).
    ///   - crlPath: optional PEM file with CRLs; nil or a missing file means no revocation
    ///     checking, a present file that does not parse is an error.
    /// - Throws: `AgentError` with code `.keyringMissing`, `.keyringUnusable` or `.crlUnusable`, the path and the cause.
    public convenience init(keyringPath: String, crlPath: String?) throws(AgentError) {
        try self.init(keyringPath: keyringPath, crlPath: crlPath, fastPath: true, cachesChains: true)
    }

    /// A verifier with parts switched off, the references of the differential tests.
    /// - Parameters:
    ///   - fastPath: ask `FastLicenseVerifier` first. Off, every file takes the full path.
    ///   - cachesChains: record trusted chains. Off, every file's chain is built and judged
    ///     anew, and the fast path (which reads only the records) proves nothing.
    package init(keyringPath: String, crlPath: String?, fastPath: Bool, cachesChains: Bool) throws(AgentError) {
        LibCrypto.initialize()
        trust = try TrustAnchors(keyringPath: keyringPath, crlPath: crlPath)
        let chains = cachesChains ? TrustedChains() : nil
        self.chains = chains
        fullPath = FullLicenseVerifier(trust: trust, chains: chains)
        self.fastPath = fastPath ? FastLicenseVerifier(chains: (chains ?? TrustedChains()).reader) : nil
    }

    /// Revocation is checked (a CRL file was present and read).
    public var checksRevocation: Bool { trust.checksRevocation }

    public func check(_ bytes: [UInt8]) -> SignatureCheck {
        fastPath?.check(bytes) ?? fullPath.check(bytes)
    }

    /// How many trusted chains the full path has recorded (for tests).
    package var knownChains: Int { chains?.count ?? 0 }
}

/// For differential checks from outside this package (the fuzz targets in `Fuzz/`, a package
/// of their own, which cannot reach the `package` switches above): the two paths asked apart.
extension CMSLicenseVerifier {
    /// The full path alone, with no cache: every file's chain is built and judged anew. The
    /// reference a fast answer is compared with.
    public static func uncachedFullPath(keyringPath: String, crlPath: String?) throws(AgentError) -> CMSLicenseVerifier {
        try CMSLicenseVerifier(keyringPath: keyringPath, crlPath: crlPath, fastPath: false, cachesChains: false)
    }

    /// What the fast path alone answers for `bytes`: `.verified` when it can prove the file
    /// from the chains this verifier's full path recorded, nil when it cannot (which says
    /// nothing about the file). Never records anything.
    public func fastPathAnswer(_ bytes: [UInt8]) -> SignatureCheck? {
        fastPath?.check(bytes)
    }
}
