internal import COpenSSL
import LicensePolicy

/// One certificate revocation list (libcrypto `X509_CRL`), released in deinit.
///
/// Used by hand rather than through `X509_V_FLAG_CRL_CHECK`: see `CMSLicenseVerifier`.
final class X509RevocationList {
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { X509_CRL_free(pointer) }

    /// Every CRL in a PEM text, in order; other PEM blocks are skipped.
    static func revocationLists(pem: [UInt8], path: String) throws(AgentError) -> [X509RevocationList] {
        let bio = try MemoryBIO(bytes: pem)
        var found: [X509RevocationList] = []
        while let list = PEM_read_bio_X509_CRL(bio.pointer, nil, nil, nil) {
            found.append(X509RevocationList(owning: list))
        }
        guard OpenSSLErrorQueue.endedAtLastPEMBlock else {
            throw OpenSSLErrorQueue.error(.crlUnusable, "A CRL in the CRL file does not parse", path: path)
        }
        OpenSSLErrorQueue.clear()
        return found
    }

    /// Issued under the name that issued `certificate`.
    func isIssued(forIssuerOf certificate: X509Certificate) -> Bool {
        X509_NAME_cmp(X509_CRL_get_issuer(pointer), X509_get_issuer_name(certificate.pointer)) == 0
    }

    /// The CRL's signature verifies with `issuer`'s public key.
    func isSigned(by issuer: X509Certificate) -> Bool {
        guard let key = X509_get0_pubkey(issuer.pointer) else {
            OpenSSLErrorQueue.clear()
            return false
        }
        let verified = X509_CRL_verify(pointer, key) == 1
        OpenSSLErrorQueue.clear()
        return verified
    }

    /// `certificate` is listed (a `removeFromCRL` entry does not count).
    func lists(_ certificate: X509Certificate) -> Bool {
        var entry: OpaquePointer?
        return X509_CRL_get0_by_cert(pointer, &entry, certificate.pointer) == 1
    }
}
