internal import COpenSSL
import LicensePolicy

/// One parsed CMS structure (libcrypto `CMS_ContentInfo`), released in deinit.
///
/// Read side of a license envelope: its type, whether the content is encapsulated, the
/// SignerInfos, the certificates it carries, and signature verification of the content.
/// The write side (`sign`) is used by `CMSLicenseSigner`.
final class CMSSignedData {
    let pointer: OpaquePointer

    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    deinit { CMS_ContentInfo_free(pointer) }

    /// Parses a license envelope (LICENSE-FORMAT.md "Envelope"): DER when the file starts with
    /// the SEQUENCE tag every DER ContentInfo starts with and is one; otherwise PEM, read as
    /// `openssl cms -inform PEM` reads it (`readPEM`), so a mail header or a note before the
    /// block — even one that starts with the byte `0` — does not turn a license into garbage.
    /// Nil when the bytes are neither (or are truncated); the queue is cleared.
    convenience init?(parsing bytes: [UInt8]) {
        var parsed: OpaquePointer?
        if bytes.first == Self.derSequence, let bio = try? MemoryBIO(bytes: bytes) {
            parsed = d2i_CMS_bio(bio.pointer, nil)
        }
        if parsed == nil, Self.containsPEMBegin(bytes), let bio = try? MemoryBIO(bytes: bytes) {
            parsed = Self.readPEM(bio)
        }
        OpenSSLErrorQueue.clear()
        guard let parsed else { return nil }
        self.init(owning: parsed)
    }

    /// The identifier octet of a DER SEQUENCE.
    static let derSequence: UInt8 = 0x30

    /// The first PEM block whose label OpenSSL's reader takes for CMS, decoded: `CMS`, `PKCS7`,
    /// or `CERTIFICATE` (`check_pem` lets CAs' PKCS#7 travel under that label, so a certificate
    /// placed first is read as the license and refused, as `openssl cms` refuses it). Text
    /// before, between and after blocks and blocks of any other label are skipped, exactly as
    /// `PEM_read_bio_CMS` does. (`PEM_read_bio_CMS` itself is not importable: the shim
    /// includes cms.h before pem.h defines its declaring macro.)
    private static func readPEM(_ bio: MemoryBIO) -> OpaquePointer? {
        var data: UnsafeMutablePointer<UInt8>?
        var length = 0
        var name: UnsafeMutablePointer<CChar>?
        guard PEM_bytes_read_bio(&data, &length, &name, "CMS", bio.pointer, nil, nil) == 1, let data else {
            return nil
        }
        defer {
            CRYPTO_free(data, nil, 0)
            CRYPTO_free(name, nil, 0)
        }
        var cursor: UnsafePointer<UInt8>? = UnsafePointer(data)
        return d2i_CMS_ContentInfo(nil, &cursor, length)
    }

    /// True when the bytes hold `-----BEGIN` anywhere: only then can OpenSSL's PEM reader find
    /// a begin line (after any text, even inside a line longer than its 254-byte buffer).
    static func containsPEMBegin(_ bytes: [UInt8]) -> Bool {
        ByteSearch.firstIndex(of: pemBegin, in: bytes) != nil
    }

    private static let pemBegin = Array("-----BEGIN".utf8)

    /// The content type is id-signedData.
    var isSignedData: Bool {
        guard let type = CMS_get0_type(pointer) else { return false }
        return OBJ_obj2nid(type) == NID_pkcs7_signed
    }

    /// The content is not encapsulated (a detached signature).
    var isDetached: Bool { CMS_is_detached(pointer) != 0 }

    /// The SignerInfos (borrowed from this structure).
    var signerInfos: [OpaquePointer] {
        guard let stack = CMS_get0_SignerInfos(pointer) else { return [] }
        return (0..<OPENSSL_sk_num(stack)).compactMap { OPENSSL_sk_value(stack, $0).map(OpaquePointer.init) }
    }

    /// The certificates carried in the structure, in order.
    var certificates: [X509Certificate] { X509Stack.certificates(takingOwnershipOf: CMS_get1_certs(pointer)) }

    /// The certificate among the carried ones that `signerInfo` identifies (issuer and
    /// serial, or subject key identifier); nil when it is not in the structure.
    func signerCertificate(of signerInfo: OpaquePointer) -> X509Certificate? {
        _ = CMS_set1_signers_certs(pointer, nil, 0)
        OpenSSLErrorQueue.clear()
        var signer: OpaquePointer?
        CMS_SignerInfo_get0_algs(signerInfo, nil, &signer, nil, nil)
        return signer.map { X509Certificate(retaining: $0) }
    }

    /// The NID of `signerInfo`'s digest algorithm.
    func digestNID(of signerInfo: OpaquePointer) -> Int32 {
        var digest: UnsafeMutablePointer<X509_ALGOR>?
        CMS_SignerInfo_get0_algs(signerInfo, nil, nil, &digest, nil)
        guard let digest else { return NID_undef }
        var object: OpaquePointer?
        X509_ALGOR_get0(&object, nil, nil, digest)
        return object.map { OBJ_obj2nid($0) } ?? NID_undef
    }

    /// Checks the content digest and the signature of every SignerInfo against the signer
    /// certificate carried in the structure — not the certificate's chain
    /// (`CMS_NO_SIGNER_CERT_VERIFY`), which the verifier checks on its own terms — and
    /// returns the encapsulated content byte for byte (`CMS_BINARY`).
    func verifiedContent() -> Result<[UInt8], VerificationFailure> {
        guard let output = try? MemoryBIO() else { return .failure(VerificationFailure(reason: nil)) }
        let flags = UInt32(CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY)
        guard CMS_verify(pointer, nil, nil, nil, output.pointer, flags) == 1 else {
            let reason = OpenSSLErrorQueue.newestReason
            OpenSSLErrorQueue.clear()
            return .failure(VerificationFailure(reason: reason))
        }
        return .success(output.bytes)
    }

    /// Why `CMS_verify` said no: the reason of the newest queue entry, as OpenSSL words it
    /// (`ERR_reason_error_string`, e.g. "content verify error").
    struct VerificationFailure: Error {
        let reason: String?
        var summary: String { reason ?? "the signature does not verify" }
    }

    // MARK: Writing

    /// Signs `content` as encapsulated, binary SignedData with one SignerInfo using SHA-256,
    /// carrying `signer` and `chain`: what `openssl cms -sign -binary -nodetach -md sha256` makes.
    static func sign(content: [UInt8], signer: X509Certificate, key: PrivateKey,
                     chain: [X509Certificate]) throws(AgentError) -> CMSSignedData {
        guard let extra = X509Stack(chain) else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not collect the chain certificates")
        }
        let flags = UInt32(CMS_BINARY | CMS_PARTIAL)
        guard let made = CMS_sign(nil, nil, extra.pointer, nil, flags) else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not start a CMS signature")
        }
        let signed = CMSSignedData(owning: made)
        guard CMS_add1_signer(made, signer.pointer, key.pointer, EVP_sha256(), UInt32(CMS_BINARY)) != nil else {
            throw OpenSSLErrorQueue.error(.crypto, "The signer certificate and key cannot sign together")
        }
        let data = try MemoryBIO(bytes: content)
        guard CMS_final(made, data.pointer, nil, UInt32(CMS_BINARY)) == 1 else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not sign the document")
        }
        return signed
    }

    /// `-----BEGIN CMS-----` PEM.
    func pem() throws(AgentError) -> [UInt8] {
        let output = try MemoryBIO()
        guard PEM_write_bio_CMS_stream(output.pointer, pointer, nil, 0) == 1 else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not encode the CMS structure as PEM")
        }
        return output.bytes
    }

    /// DER.
    func der() throws(AgentError) -> [UInt8] {
        let output = try MemoryBIO()
        guard i2d_CMS_bio(output.pointer, pointer) == 1 else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not encode the CMS structure as DER")
        }
        return output.bytes
    }
}
