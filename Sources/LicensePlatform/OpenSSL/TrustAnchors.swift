internal import COpenSSL
import LicensePolicy

/// The device's trust material: the keyring (one or more CA certificates, PEM) in an
/// `X509_STORE`, and the CRLs of the optional CRL file.
///
/// Loaded once per verifier and reused for every license, so that checking a directory
/// of licenses never re-reads or re-parses the keyring.
///
/// The keyring is read at init, so that a keyring that cannot be used is reported whether or
/// not there is a license to verify. Decoding its certificates with OpenSSL also decodes
/// their public keys, which in OpenSSL 3 goes through the provider decoder framework, the
/// dearest step of a boot without licenses. So a keyring whose layout `StrictKeyring`
/// proves readable is decoded only when a chain is first built (`store()`); any other is
/// decoded at once, with OpenSSL's verdict as before.
final class TrustAnchors {
    /// The keyring's text, kept until `store()` decodes it.
    private let keyring: [UInt8]
    private let keyringPath: String
    /// The store, once decoded.
    private var decoded: X509Store?
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
        self.keyring = keyring
        self.keyringPath = keyringPath
        // A keyring of the proven layout waits for `store()`; any other is judged by OpenSSL now.
        decoded = StrictKeyring.certificates(keyring) == nil ? try X509Store(keyring: keyring, path: keyringPath) : nil
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
    }

    /// The `X509_STORE` with the keyring's certificates, decoded at the first call. It
    /// throws only when OpenSSL cannot allocate it (the keyring's layout was proven readable).
    func store() throws(AgentError) -> OpaquePointer {
        if let decoded { return decoded.pointer }
        let made = try X509Store(keyring: keyring, path: keyringPath)
        decoded = made
        return made.pointer
    }

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

/// An `X509_STORE` holding the keyring's certificates (with their trust settings), as
/// OpenSSL's chain building reads them. Holds the store, released in deinit, and the
/// certificates it was filled with.
///
/// Each verification sets its own time, purpose and trust (`X509StoreContext`).
final class X509Store {
    let pointer: OpaquePointer
    /// The keyring's certificates, in file order.
    let anchors: [X509Certificate]

    /// Reads every certificate of the keyring text with OpenSSL (`PEM_read_bio_X509_AUX`;
    /// at least one) and puts each in a new store.
    /// - Throws: `.keyringUnusable` when a block does not parse or there is none, with
    ///   OpenSSL's reason; `.crypto` when the store cannot be made.
    init(keyring: [UInt8], path: String) throws(AgentError) {
        anchors = try X509Certificate.certificates(pem: keyring, code: .keyringUnusable, path: path)
        guard !anchors.isEmpty else {
            throw AgentError(.keyringUnusable, "The keyring holds no PEM certificate (no CERTIFICATE or TRUSTED CERTIFICATE block)", path: path,
                             remedy: "Install the licensing trust anchors (PEM CA certificates) there")
        }
        guard let store = X509_STORE_new() else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not allocate an X.509 store")
        }
        pointer = store
        for anchor in anchors where X509_STORE_add_cert(store, anchor.pointer) != 1 {
            throw OpenSSLErrorQueue.error(.keyringUnusable, "A keyring certificate could not be added", path: path)
        }
    }

    deinit { X509_STORE_free(pointer) }
}
