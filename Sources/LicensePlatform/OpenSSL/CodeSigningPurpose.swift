internal import COpenSSL
import LicensePolicy

/// The licensing chain rules registered as an `X509_PURPOSE`, so that OpenSSL's own chain
/// builder applies them (as rauc does for its bundles) and they cannot drift from it:
///
/// - the signer (leaf) needs extendedKeyUsage `codeSigning`, and `digitalSignature` if it
///   has keyUsage (LICENSE-FORMAT.md "Envelope");
/// - a CA that carries extendedKeyUsage must list `codeSigning` or `anyExtendedKeyUsage`: a
///   chain through a CA restricted to other purposes (serverAuth only) is untrusted;
/// - trust settings of `TRUSTED CERTIFICATE` keyring blocks are read for code signing
///   (`X509_TRUST_OBJECT_SIGN`): a block that rejects code signing or any purpose makes every
///   chain through it untrusted; one that trusts code signing is trusted for it.
enum CodeSigningPurpose {
    /// The purpose id, registered once per process on first use; nil when OpenSSL refused it.
    static let identifier: Int32? = register()

    private static func register() -> Int32? {
        let shortName = "license-agent-codesign"
        let existing = X509_PURPOSE_get_by_sname(shortName)
        if existing >= 0, let purpose = X509_PURPOSE_get0(existing) { return X509_PURPOSE_get_id(purpose) }
        let identifier = X509_PURPOSE_get_count() + 1
        guard X509_PURPOSE_get_by_id(identifier) < 0,
              X509_PURPOSE_add(identifier, X509_TRUST_OBJECT_SIGN, 0, check, "License code signing", shortName, nil) == 1
        else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        return identifier
    }

    /// OpenSSL's purpose callback: 1 when `certificate` may serve in a licensing chain in the
    /// role `isCA` says, 0 when not.
    private static let check: @convention(c) (UnsafePointer<X509_PURPOSE>?, OpaquePointer?, Int32) -> Int32 = {
        _, certificate, isCA in
        guard let certificate else { return 0 }
        let flags = X509_get_extension_flags(certificate)
        let extendedUsage = X509_get_extended_key_usage(certificate)
        if isCA != 0 {
            if flags & UInt32(EXFLAG_XKUSAGE) != 0 && extendedUsage & UInt32(XKU_CODE_SIGN | XKU_ANYEKU) == 0 {
                return 0
            }
            return X509_check_ca(certificate)
        }
        if flags & UInt32(EXFLAG_KUSAGE) != 0 && X509_get_key_usage(certificate) & UInt32(KU_DIGITAL_SIGNATURE) == 0 {
            return 0
        }
        return flags & UInt32(EXFLAG_XKUSAGE) != 0 && extendedUsage & UInt32(XKU_CODE_SIGN) != 0 ? 1 : 0
    }
}
