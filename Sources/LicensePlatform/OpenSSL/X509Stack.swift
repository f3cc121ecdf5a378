internal import COpenSSL

/// A libcrypto `STACK_OF(X509)` built from or read into Swift certificates.
///
/// The stack made by `init(_:)` does not own its entries (the Swift objects do, and this
/// object keeps them alive); a stack returned by libcrypto with references (`get1`) is
/// turned into `[X509Certificate]` by `certificates(takingOwnershipOf:)` and freed at once.
final class X509Stack {
    let pointer: OpaquePointer
    private let members: [X509Certificate]

    /// A borrowing stack of `certificates`, for calls that take `STACK_OF(X509) *`.
    init?(_ certificates: [X509Certificate]) {
        guard let stack = OPENSSL_sk_new_null() else { return nil }
        for certificate in certificates where OPENSSL_sk_push(stack, UnsafeRawPointer(certificate.pointer)) <= 0 {
            OPENSSL_sk_free(stack)
            return nil
        }
        pointer = stack
        members = certificates
    }

    deinit { OPENSSL_sk_free(pointer) }

    /// The certificates of a stack libcrypto handed over with one reference per entry
    /// (`CMS_get1_certs`, `X509_STORE_CTX_get1_chain`); frees the stack and its references.
    static func certificates(takingOwnershipOf stack: OpaquePointer?) -> [X509Certificate] {
        guard let stack else { return [] }
        var result: [X509Certificate] = []
        for index in 0..<OPENSSL_sk_num(stack) {
            if let entry = OPENSSL_sk_value(stack, index) {
                result.append(X509Certificate(retaining: OpaquePointer(entry)))
            }
        }
        OPENSSL_sk_pop_free(stack) { entry in X509_free(OpaquePointer(entry)) }
        return result
    }
}
