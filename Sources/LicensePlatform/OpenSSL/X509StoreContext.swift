internal import COpenSSL
import LicensePolicy

/// One chain verification (libcrypto `X509_STORE_CTX`), released in deinit.
///
/// Builds the path from a leaf through untrusted intermediates to an anchor of the store
/// for the licensing purpose (`CodeSigningPurpose`), at a given instant: OpenSSL then also
/// *chooses* among several copies of a CA (a re-issued CA with the same name and key) the one
/// valid at that instant. Without an instant (`at: nil`) validity dates are not checked.
final class X509StoreContext {
    let pointer: OpaquePointer
    /// Kept alive for as long as libcrypto may look at it.
    private let intermediates: X509Stack?
    private let leaf: X509Certificate

    init(store: OpaquePointer, leaf: X509Certificate, intermediates: [X509Certificate], at instant: Timestamp?) throws(AgentError) {
        guard let context = X509_STORE_CTX_new() else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not allocate a chain verification")
        }
        pointer = context
        self.leaf = leaf
        self.intermediates = X509Stack(intermediates)
        guard X509_STORE_CTX_init(context, store, leaf.pointer, self.intermediates?.pointer) == 1 else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not set up a chain verification")
        }
        guard let purpose = CodeSigningPurpose.identifier, X509_STORE_CTX_set_purpose(context, purpose) == 1,
              X509_STORE_CTX_set_trust(context, X509_TRUST_OBJECT_SIGN) == 1
        else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not set the code-signing purpose for the chain")
        }
        if let instant {
            X509_STORE_CTX_set_time(context, 0, time_t(instant.secondsSinceEpoch))
        } else {
            X509_STORE_CTX_set_flags(context, UInt(X509_V_FLAG_NO_CHECK_TIME))
        }
    }

    deinit { X509_STORE_CTX_free(pointer) }

    /// The verified chain, leaf first and anchor last; or OpenSSL's reason, naming the
    /// certificate it stopped at.
    func verifiedChain() -> Result<[X509Certificate], ChainFailure> {
        let outcome = X509_verify_cert(pointer)
        OpenSSLErrorQueue.clear()
        guard outcome == 1 else {
            let code = X509_STORE_CTX_get_error(pointer)
            let reason = X509_verify_cert_error_string(Int(code)).map { String(cString: $0) } ?? "error \(code)"
            let certificate = X509_STORE_CTX_get_current_cert(pointer).map { X509Certificate(retaining: $0) }
            return .failure(ChainFailure(code: code, reason: reason, depth: X509_STORE_CTX_get_error_depth(pointer),
                                         subject: certificate?.subject, notAfter: certificate?.notAfter))
        }
        return .success(X509Stack.certificates(takingOwnershipOf: X509_STORE_CTX_get1_chain(pointer)))
    }

    /// A chain that could not be verified.
    struct ChainFailure: Error {
        let code: Int32
        let reason: String
        /// Where in the chain it stopped: 0 is the signer.
        let depth: Int32
        /// The certificate it stopped at: its subject and end of validity.
        let subject: String?
        let notAfter: Timestamp?

        var description: String { subject.map { "\(reason) at \($0)" } ?? reason }
        var isPurposeFailure: Bool { code == X509_V_ERR_INVALID_PURPOSE }
        var isRejectedByTrustSettings: Bool { code == X509_V_ERR_CERT_REJECTED }
        /// The chain could not be completed up to an anchor of the store.
        var isMissingIssuer: Bool {
            [X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
             X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE].contains(code)
        }
    }
}
