internal import COpenSSL
import LicensePolicy

/// A two-level licensing PKI made on the spot: a root CA and a code-signing signer issued
/// by it. For `license-issuer pki` (demos, tests); nothing about it is meant to last.
///
/// - root: CA:TRUE (critical), keyUsage keyCertSign + cRLSign, valid from a year ago for 20 years;
/// - signer: CA:FALSE, keyUsage digitalSignature, extendedKeyUsage codeSigning, issued by
///   the root, valid from a year ago for 10 years.
public final class ThrowawayPKI {
    public let root: X509Certificate
    public let rootKey: PrivateKey
    public let signer: X509Certificate
    public let signerKey: PrivateKey

    /// Generates both keys with `algorithm` and issues both certificates.
    public init(algorithm: PrivateKey.Algorithm) throws(AgentError) {
        let digest = algorithm == .p384 ? EVP_sha384() : EVP_sha256()
        rootKey = try PrivateKey(generating: algorithm)
        let rootName = [("O", "license-issuer"), ("CN", "License Test Root")]
        root = try CertificateDraft(subject: rootName, key: rootKey, validDays: 20 * 365)
            .extend(NID_basic_constraints, "critical,CA:TRUE")
            .extend(NID_key_usage, "critical,keyCertSign,cRLSign")
            .extend(NID_subject_key_identifier, "hash")
            .issue(issuer: nil, issuerKey: rootKey, digest: digest)
        signerKey = try PrivateKey(generating: algorithm)
        signer = try CertificateDraft(subject: [("O", "license-issuer"), ("CN", "License Signer")],
                                      key: signerKey, validDays: 10 * 365)
            .extend(NID_basic_constraints, "critical,CA:FALSE")
            .extend(NID_key_usage, "critical,digitalSignature")
            .extend(NID_ext_key_usage, "codeSigning")
            .extend(NID_subject_key_identifier, "hash")
            .extend(NID_authority_key_identifier, "keyid:always", issuer: root)
            .issue(issuer: root, issuerKey: rootKey, digest: digest)
    }

    /// Writes `root.crt`, `root.key`, `signer.crt`, `signer.key` (keys mode 0600) and
    /// `keyring.pem` (the root certificate: what a device trusts) into `directory`,
    /// creating it when needed. `directory` must be absolute.
    public func write(to directory: String) throws(AgentError) {
        try DurableFile.makeDirectory(directory, creatingParents: true)
        try DurableFile.write(root.pem(), to: directory + "/root.crt")
        try DurableFile.write(rootKey.pem(), to: directory + "/root.key", mode: [.ownerReadWrite])
        try DurableFile.write(signer.pem(), to: directory + "/signer.crt")
        try DurableFile.write(signerKey.pem(), to: directory + "/signer.key", mode: [.ownerReadWrite])
        try DurableFile.write(root.pem(), to: directory + "/keyring.pem")
    }
}

/// A certificate (libcrypto `X509`) being filled in before it is signed; released in deinit
/// unless `issue` hands it over to an `X509Certificate`.
private final class CertificateDraft {
    private var pointer: OpaquePointer?

    init(subject: [(String, String)], key: PrivateKey, validDays: Int) throws(AgentError) {
        guard let draft = X509_new() else { throw OpenSSLErrorQueue.error(.crypto, "Could not allocate a certificate") }
        pointer = draft
        let name = X509_get_subject_name(draft)
        var filled = X509_set_version(draft, 2) == 1
            && ASN1_INTEGER_set_uint64(X509_get_serialNumber(draft), UInt64.random(in: 1...UInt64(Int64.max))) == 1
            && X509_time_adj_ex(X509_getm_notBefore(draft), -365, 0, nil) != nil
            && X509_time_adj_ex(X509_getm_notAfter(draft), Int32(validDays - 365), 0, nil) != nil
            && X509_set_pubkey(draft, key.pointer) == 1
        for (field, value) in subject where filled {
            filled = X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, value, -1, -1, 0) == 1
        }
        guard filled else { throw OpenSSLErrorQueue.error(.crypto, "Could not fill in a certificate") }
    }

    deinit { if let pointer { X509_free(pointer) } }

    /// Adds the extension `nid` given in `openssl.cnf` syntax (`issuer` for authorityKeyIdentifier).
    func extend(_ nid: Int32, _ value: String, issuer: X509Certificate? = nil) throws(AgentError) -> CertificateDraft {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer?.pointer ?? pointer, pointer, nil, nil, 0)
        guard let made = X509V3_EXT_conf_nid(nil, &context, nid, value) else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not make the certificate extension \(value)")
        }
        defer { X509_EXTENSION_free(made) }
        guard X509_add_ext(pointer, made, -1) == 1 else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not add the certificate extension \(value)")
        }
        return self
    }

    /// Sets the issuer (nil: self-signed) and signs; the draft is used up.
    func issue(issuer: X509Certificate?, issuerKey: PrivateKey, digest: OpaquePointer?) throws(AgentError) -> X509Certificate {
        guard let draft = pointer else { throw AgentError(.crypto, "A certificate draft was issued twice") }
        let issuerName = issuer.map { X509_get_subject_name($0.pointer) } ?? X509_get_subject_name(draft)
        guard X509_set_issuer_name(draft, issuerName) == 1, X509_sign(draft, issuerKey.pointer, digest) > 0 else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not sign a certificate")
        }
        pointer = nil
        return X509Certificate(owning: draft)
    }
}
