/// The one verdict every `.lic` file gets (LICENSE-FORMAT.md "Verdicts").
///
/// Raw values are the contract's spellings; `already-installed` is the import-only
/// outcome for a license whose id is on the device already (CLI.md "Imports").
public enum Verdict: String, Sendable, Codable, CaseIterable {
    case valid
    case notYetValid = "not-yet-valid"
    case expired
    case otherUnit = "other-unit"
    case badSignature = "bad-signature"
    case untrusted
    case revoked
    case malformed
    case unsupportedFormat = "unsupported-format"
    case duplicate
    case alreadyInstalled = "already-installed"

    /// Counted towards products and entitlements (ENTITLEMENTS.md "Inputs").
    public var isCounted: Bool { self == .valid || self == .expired || self == .notYetValid }

    /// May be written to the license partition by an import.
    public var isInstallable: Bool { self == .valid || self == .notYetValid }
}

/// What the signature layer found out about one file: a verdict before the document could
/// be trusted, or the verified document.
///
/// The cryptography lives in `LicensePlatform`; it reads the document's `issued` because the
/// chain is built and judged at that time (LICENSE-FORMAT.md "Clock policy"). The rules after
/// it (unit, dates, duplicates) are policy. This is the hand-over between the two.
public enum SignatureCheck: Sendable {
    /// Refused before or while the envelope, chain and document were checked: `malformed`,
    /// `bad-signature`, `untrusted`, `revoked` or `unsupported-format`, with a one-line reason.
    case refused(Verdict, detail: String)
    /// Signature, chain at `issued`, trust, revocation and document are good.
    case verified(LicenseDocument, signer: SignerFacts)
}

/// The signer as far as policy needs it.
public struct SignerFacts: Sendable, Hashable {
    /// The leaf's subject, for details and the audit log.
    public let subject: String

    public init(subject: String) { self.subject = subject }
}

/// Verifies a license file: envelope, signature, chain and document. Implemented with
/// OpenSSL by `LicensePlatform.CMSLicenseVerifier`.
public protocol SignatureChecking {
    func check(_ bytes: [UInt8]) -> SignatureCheck
}
