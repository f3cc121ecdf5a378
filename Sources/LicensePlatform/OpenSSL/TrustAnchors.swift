internal import COpenSSL
import LicensePolicy

/// The device's trust material: the keyring (one or more CA certificates, PEM) in an
/// `X509_STORE`, and the CRLs of the optional CRL file.
///
/// Loaded once per verifier and reused for every license, so that checking a directory
/// of licenses never re-reads or re-parses the keyring.
final class TrustAnchors {
    /// The `X509_STORE` holding the keyring's certificates (with their trust settings). Each
    /// verification sets its own time, purpose and trust (`X509StoreContext`).
    let store: OpaquePointer
    /// The keyring's certificates, in file order.
    let anchors: [X509Certificate]
    /// The CRLs; empty when there is no CRL file (no revocation checking).
    let revocationLists: [X509RevocationList]
    /// A CRL file was present: revocation is checked.
    let checksRevocation: Bool

    /// Reads the keyring (must hold at least one certificate) and, when `crlPath` names an
    /// existing file, the CRLs in it (at least one; a file that does not parse is an error).
    init(keyringPath: String, crlPath: String?) throws(AgentError) {
        guard let keyring = try Self.read(keyringPath, what: "keyring", code: .keyringUnusable) else {
            throw AgentError(.keyringMissing, "The keyring is missing", path: keyringPath,
                             cause: .system(.noSuchFileOrDirectory),
                             remedy: "Install the licensing trust anchors (PEM CA certificates) there")
        }
        anchors = try X509Certificate.certificates(pem: keyring, code: .keyringUnusable, path: keyringPath)
        guard !anchors.isEmpty else {
            throw AgentError(.keyringUnusable, "The keyring holds no PEM certificate (no CERTIFICATE or TRUSTED CERTIFICATE block)", path: keyringPath,
                             remedy: "Install the licensing trust anchors (PEM CA certificates) there")
        }
        if let crlPath, let crls = try Self.read(crlPath, what: "CRL file", code: .crlUnusable) {
            revocationLists = try X509RevocationList.revocationLists(pem: crls, path: crlPath)
            guard !revocationLists.isEmpty else {
                throw AgentError(.crlUnusable, "The CRL file holds no PEM CRL", path: crlPath,
                                 remedy: "Install the licensing PKI's CRLs there, or remove the file")
            }
            checksRevocation = true
        } else {
            revocationLists = []
            checksRevocation = false
        }
        guard let store = X509_STORE_new() else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not allocate an X.509 store")
        }
        self.store = store
        for anchor in anchors where X509_STORE_add_cert(store, anchor.pointer) != 1 {
            throw OpenSSLErrorQueue.error(.keyringUnusable, "A keyring certificate could not be added", path: keyringPath)
        }
    }

    deinit { X509_STORE_free(store) }

    /// The CRLs that `issuer` signed for certificates it issued, as they apply to `certificate`.
    func revocationLists(for certificate: X509Certificate, issuedBy issuer: X509Certificate) -> [X509RevocationList] {
        revocationLists.filter { $0.isIssued(forIssuerOf: certificate) && $0.isSigned(by: issuer) }
    }

    /// The file's bytes, nil when it does not exist; other failures are keyring errors.
    private static func read(_ path: String, what: String, code: AgentError.Code) throws(AgentError) -> [UInt8]? {
        do {
            return try DurableFile.read(path, limit: 4 << 20, followingSymlinks: true)
        } catch {
            throw error.reported(as: code, "Cannot read the \(what)")
        }
    }
}
