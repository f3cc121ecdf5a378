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

/// What the signature layer found out about one file before the document is read.
///
/// The cryptography lives in `LicensePlatform`; the rules after it (document, unit,
/// dates, duplicates) are policy. This is the hand-over between the two.
public enum SignatureCheck: Sendable {
    /// The file was refused before its content could be trusted: `malformed`,
    /// `bad-signature`, `untrusted` or `revoked`, with a one-line reason.
    case refused(Verdict, detail: String)
    /// Signature and chain are good; `content` is the encapsulated document.
    case signed(content: [UInt8], signer: SignerFacts)
}

/// The signer as far as policy needs it.
public struct SignerFacts: Sendable, Hashable {
    /// The leaf's subject, for details and the audit log.
    public let subject: String
    /// The instants at which every certificate of the verified chain was within its
    /// validity period: the document's `issued` must fall inside (clock policy).
    public let chainValidFrom: Timestamp
    public let chainValidUntil: Timestamp

    public init(subject: String, chainValidFrom: Timestamp, chainValidUntil: Timestamp) {
        self.subject = subject
        self.chainValidFrom = chainValidFrom
        self.chainValidUntil = chainValidUntil
    }
}

/// Verifies the CMS envelope of a license file. Implemented with OpenSSL by
/// `LicensePlatform.CMSLicenseVerifier`.
public protocol SignatureChecking {
    func check(_ bytes: [UInt8]) -> SignatureCheck
}
