import COpenSSL
import LicensePolicy

/// One chain verification (libcrypto `X509_STORE_CTX`), released in deinit.
///
/// Builds the path from a leaf through untrusted intermediates to an anchor of the store,
/// with the store's flags (the keyring's store ignores validity dates).
final class X509StoreContext {
    let pointer: OpaquePointer
    /// Kept alive for as long as libcrypto may look at it.
    private let intermediates: X509Stack?
    private let leaf: X509Certificate

    init(store: OpaquePointer, leaf: X509Certificate, intermediates: [X509Certificate]) throws(AgentError) {
        guard let context = X509_STORE_CTX_new() else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not allocate a chain verification")
        }
        pointer = context
        self.leaf = leaf
        self.intermediates = X509Stack(intermediates)
        guard X509_STORE_CTX_init(context, store, leaf.pointer, self.intermediates?.pointer) == 1 else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not set up a chain verification")
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
            let at = X509_STORE_CTX_get_current_cert(pointer).map { X509Certificate.text(of: X509_get_subject_name($0)) }
            return .failure(ChainFailure(reason: reason, subject: at))
        }
        return .success(X509Stack.certificates(takingOwnershipOf: X509_STORE_CTX_get1_chain(pointer)))
    }

    /// A chain that could not be verified.
    struct ChainFailure: Error {
        let reason: String
        let subject: String?
        var description: String { subject.map { "\(reason) at \($0)" } ?? reason }
    }
}
