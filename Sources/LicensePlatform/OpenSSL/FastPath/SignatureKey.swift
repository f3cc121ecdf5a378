internal import COpenSSL

/// A signer's public key (libcrypto `EVP_PKEY`), taken from a certificate that passed the full
/// check and kept for the fast path, so that no license after the first pays for decoding it
/// again. Holds one reference, released in deinit.
///
/// Only the two kinds the fast path verifies itself: ECDSA (`EVP_PKEY_EC`) and RSA with
/// PKCS #1 v1.5 padding (`EVP_PKEY_RSA`, OpenSSL's default for such a key). RSA-PSS keys and
/// every other kind stay on the full path.
final class SignatureKey {
    enum Kind: Sendable {
        case ecdsa
        case rsaPKCS1
    }

    let pointer: OpaquePointer
    let kind: Kind
    /// A verification context set up once per digest, copied for each signature: setting one
    /// up (`EVP_DigestVerifyInit`: fetching the algorithm, the provider's context) costs more
    /// than copying it.
    private var prepared: [SignedDataLayout.DigestAlgorithm: PreparedVerification] = [:]

    /// The certificate's public key, or nil when it is of another kind or cannot be read.
    init?(of certificate: X509Certificate) {
        guard let key = X509_get0_pubkey(certificate.pointer) else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_EC: kind = .ecdsa
        case EVP_PKEY_RSA: kind = .rsaPKCS1
        default: return nil
        }
        guard EVP_PKEY_up_ref(key) == 1 else { return nil }
        pointer = key
    }

    deinit { EVP_PKEY_free(pointer) }

    /// True when `signature` is this key's signature, with `digest`, over the bytes of the
    /// `parts` ranges of `bytes` in order, preceded by `prefix` (`EVP_DigestVerify*`).
    func verifies(signature: Range<Int>, over prefix: [UInt8], then parts: Range<Int>, of bytes: [UInt8],
                  digest: MessageDigest) -> Bool {
        let template: PreparedVerification
        if let known = prepared[digest.algorithm] {
            template = known
        } else {
            guard let made = PreparedVerification(key: self, digest: digest) else { return false }
            prepared[digest.algorithm] = made
            template = made
        }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        return bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return false }
            return EVP_MD_CTX_copy_ex(context, template.pointer) == 1
                && prefix.withUnsafeBytes { EVP_DigestVerifyUpdate(context, $0.baseAddress, $0.count) } == 1
                && EVP_DigestVerifyUpdate(context, base + parts.lowerBound, parts.count) == 1
                && EVP_DigestVerifyFinal(context, base.assumingMemoryBound(to: UInt8.self) + signature.lowerBound,
                                         signature.count) == 1
        }
    }
}

/// A signature verification context (libcrypto `EVP_MD_CTX` after `EVP_DigestVerifyInit`)
/// for one key and digest, never updated itself: each verification works on a copy.
/// Released in deinit.
final class PreparedVerification {
    let pointer: OpaquePointer

    init?(key: SignatureKey, digest: MessageDigest) {
        guard let context = EVP_MD_CTX_new() else { return nil }
        guard EVP_DigestVerifyInit(context, nil, digest.pointer, nil, key.pointer) == 1 else {
            EVP_MD_CTX_free(context)
            OpenSSLErrorQueue.clear()
            return nil
        }
        pointer = context
    }

    deinit { EVP_MD_CTX_free(pointer) }
}
