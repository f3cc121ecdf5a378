internal import COpenSSL
import LicensePolicy

/// Signs license documents the way the vendor does (LICENSE-FORMAT.md "Envelope"):
/// encapsulated, binary CMS SignedData with one SHA-256 SignerInfo, carrying the signer
/// certificate and any intermediates — the output of
/// `openssl cms -sign -binary -nodetach -md sha256 -signer … -inkey … [-certfile …]`.
///
/// Vendor-side only (`license-issuer`); the agent never signs.
public final class CMSLicenseSigner {
    /// How the signed file is written.
    public enum Encoding: Sendable {
        /// `-----BEGIN CMS-----` PEM (`-outform PEM`).
        case pem
        /// DER (`-outform DER`).
        case der
    }

    private let certificate: X509Certificate
    private let key: PrivateKey
    private let chain: [X509Certificate]

    public init(certificate: X509Certificate, key: PrivateKey, chain: [X509Certificate] = []) {
        self.certificate = certificate
        self.key = key
        self.chain = chain
    }

    /// Reads the signer certificate (first PEM certificate), its unencrypted private key and,
    /// optionally, a PEM file of certificates to carry along (intermediates).
    public convenience init(certificatePath: String, keyPath: String, chainPath: String?) throws(AgentError) {
        let certificates = try X509Certificate.certificates(pem: Self.read(certificatePath), code: .crypto,
                                                            path: certificatePath)
        guard let certificate = certificates.first else {
            throw AgentError(.crypto, "The signer certificate file holds no PEM certificate", path: certificatePath)
        }
        let key = try PrivateKey(pem: Self.read(keyPath), path: keyPath)
        var chain: [X509Certificate] = []
        if let chainPath {
            chain = try X509Certificate.certificates(pem: Self.read(chainPath), code: .crypto, path: chainPath)
        }
        self.init(certificate: certificate, key: key, chain: chain)
    }

    /// The signed `.lic` bytes for `document`.
    public func sign(_ document: [UInt8], encoding: Encoding = .pem) throws(AgentError) -> [UInt8] {
        defer { OpenSSLErrorQueue.clear() }
        let signed = try CMSSignedData.sign(content: document, signer: certificate, key: key, chain: chain)
        switch encoding {
        case .pem: return try signed.pem()
        case .der: return try signed.der()
        }
    }

    private static func read(_ path: String) throws(AgentError) -> [UInt8] {
        guard let bytes = try DurableFile.read(path) else {
            throw AgentError(.io, "Cannot open a file", path: path, cause: .system(.noSuchFileOrDirectory))
        }
        return bytes
    }
}
