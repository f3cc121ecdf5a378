internal import COpenSSL
import LicensePolicy

/// A private key (libcrypto `EVP_PKEY`), released in deinit: generated for a throwaway PKI
/// or read from a PEM file to sign licenses.
public final class PrivateKey {
    /// Key types the issuer tool makes.
    public enum Algorithm: String, Sendable, CaseIterable {
        case p256, p384, rsa2048
    }

    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// A fresh key of `algorithm`.
    public convenience init(generating algorithm: Algorithm) throws(AgentError) {
        let type = algorithm == .rsa2048 ? "RSA" : "EC"
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not set up \(type) key generation")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var configured = EVP_PKEY_keygen_init(context) == 1
        switch algorithm {
        case .p256: configured = configured && EVP_PKEY_CTX_set_group_name(context, "P-256") == 1
        case .p384: configured = configured && EVP_PKEY_CTX_set_group_name(context, "P-384") == 1
        case .rsa2048: configured = configured && EVP_PKEY_CTX_set_rsa_keygen_bits(context, 2048) == 1
        }
        var key: OpaquePointer?
        guard configured, EVP_PKEY_generate(context, &key) == 1, let key else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not generate a \(algorithm.rawValue) key")
        }
        self.init(owning: key)
    }

    /// The first private key in a PEM text (PKCS#8 or traditional, unencrypted).
    public convenience init(pem: [UInt8], path: String? = nil) throws(AgentError) {
        let bio = try MemoryBIO(bytes: pem)
        guard let key = PEM_read_bio_PrivateKey(bio.pointer, nil, nil, nil) else {
            throw OpenSSLErrorQueue.error(.crypto, "The file holds no readable unencrypted private key", path: path)
        }
        self.init(owning: key)
    }

    /// Unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    public func pem() throws(AgentError) -> [UInt8] {
        let output = try MemoryBIO()
        guard PEM_write_bio_PrivateKey(output.pointer, pointer, nil, nil, 0, nil, nil) == 1 else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not encode the private key as PEM")
        }
        return output.bytes
    }
}

extension PrivateKey {
    /// A raw signature over `bytes` (`EVP_DigestSign`) with the digest named `digest`
    /// ("SHA256", "SHA384", …): vendor side only. The fast path's differential checks use it to
    /// re-sign mutated signed attributes, so that a mutation gets past the signature; public
    /// because the fuzz targets are a package of their own.
    public func signature(over bytes: [UInt8], digest: String) throws(AgentError) -> [UInt8] {
        defer { OpenSSLErrorQueue.clear() }
        guard let context = EVP_MD_CTX_new() else { throw OpenSSLErrorQueue.error(.crypto, "Could not allocate a signing context") }
        defer { EVP_MD_CTX_free(context) }
        var length = 0
        guard EVP_DigestSignInit_ex(context, nil, digest, nil, nil, pointer, nil) == 1,
              EVP_DigestSign(context, nil, &length, bytes, bytes.count) == 1
        else { throw OpenSSLErrorQueue.error(.crypto, "Could not sign with \(digest)") }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, bytes, bytes.count) == 1 else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not sign with \(digest)")
        }
        return Array(signature.prefix(length))
    }
}
