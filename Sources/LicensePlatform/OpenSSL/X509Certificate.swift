internal import COpenSSL
import LicensePolicy

/// One X.509 certificate (libcrypto `X509`). Holds one reference, released in deinit.
///
/// Exposes only what the licensing rules look at: names, validity window, key and
/// signature strength, key usages, serial, and the DER encoding (for cache keys).
public final class X509Certificate {
    let pointer: OpaquePointer

    /// Takes over a reference the caller owns.
    init(owning pointer: OpaquePointer) { self.pointer = pointer }

    /// Adds a reference to a certificate owned by something else (a stack, a CMS structure).
    init(retaining pointer: OpaquePointer) {
        X509_up_ref(pointer)
        self.pointer = pointer
    }

    deinit { X509_free(pointer) }

    /// Every `CERTIFICATE` and `TRUSTED CERTIFICATE` block in a PEM text, in order, the
    /// latter with their trust settings (`openssl x509 -trustout`); other blocks are skipped.
    /// Throws with `code` when a certificate block does not parse.
    static func certificates(pem: [UInt8], code: AgentError.Code, path: String?) throws(AgentError) -> [X509Certificate] {
        let bio = try MemoryBIO(bytes: pem)
        var found: [X509Certificate] = []
        while let certificate = PEM_read_bio_X509_AUX(bio.pointer, nil, nil, nil) {
            found.append(X509Certificate(owning: certificate))
        }
        guard OpenSSLErrorQueue.endedAtLastPEMBlock else {
            throw OpenSSLErrorQueue.error(code, "A certificate in the file does not parse", path: path)
        }
        OpenSSLErrorQueue.clear()
        return found
    }

    /// The DER encoding.
    public var der: [UInt8] {
        var output: UnsafeMutablePointer<UInt8>?
        let count = i2d_X509(pointer, &output)
        guard count > 0, let output else { return [] }
        defer { CRYPTO_free(output, nil, 0) }
        return Array(UnsafeBufferPointer(start: output, count: Int(count)))
    }

    /// The first certificate of a PEM text.
    public convenience init(pem: [UInt8], path: String? = nil) throws(AgentError) {
        let bio = try MemoryBIO(bytes: pem)
        guard let certificate = PEM_read_bio_X509(bio.pointer, nil, nil, nil) else {
            throw OpenSSLErrorQueue.error(.crypto, "The file holds no readable PEM certificate", path: path)
        }
        self.init(owning: certificate)
    }

    /// PEM (`-----BEGIN CERTIFICATE-----`).
    public func pem() throws(AgentError) -> [UInt8] {
        let output = try MemoryBIO()
        guard PEM_write_bio_X509(output.pointer, pointer) == 1 else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not encode a certificate as PEM")
        }
        return output.bytes
    }

    /// SHA-256 of the DER encoding.
    var fingerprint: [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(pointer, EVP_sha256(), &digest, &length) == 1 else {
            OpenSSLErrorQueue.clear()
            return der
        }
        return Array(digest.prefix(Int(length)))
    }

    /// The subject as a one-line RFC 2253 name, e.g. `CN=Licensing Signer,O=Vendor`.
    public var subject: String { Self.text(of: X509_get_subject_name(pointer)) }

    /// The issuer, same spelling as `subject`.
    public var issuer: String { Self.text(of: X509_get_issuer_name(pointer)) }

    /// Start of the validity period; nil when the field does not parse.
    public var notBefore: Timestamp? { Self.timestamp(X509_get0_notBefore(pointer)) }

    /// End of the validity period; nil when the field does not parse.
    public var notAfter: Timestamp? { Self.timestamp(X509_get0_notAfter(pointer)) }

    /// The serial number in upper-case hex, as `openssl x509 -serial` prints it.
    public var serialHex: String {
        guard let number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(pointer), nil) else {
            OpenSSLErrorQueue.clear()
            return "?"
        }
        defer { BN_free(number) }
        guard let hex = BN_bn2hex(number) else { return "?" }
        defer { CRYPTO_free(hex, nil, 0) }
        return String(cString: hex)
    }

    /// Subject and issuer are the same name (a root, or a self-issued key rollover).
    var isSelfIssued: Bool {
        X509_NAME_cmp(X509_get_subject_name(pointer), X509_get_issuer_name(pointer)) == 0
    }

    /// The extension flags libcrypto computed (EXFLAG_*); computing them also parses the extensions.
    private var extensionFlags: UInt32 { X509_get_extension_flags(pointer) }

    /// Carries extendedKeyUsage with `codeSigning` (a missing extension does not count).
    var hasCodeSigningUsage: Bool {
        extensionFlags & UInt32(EXFLAG_XKUSAGE) != 0
            && X509_get_extended_key_usage(pointer) & UInt32(XKU_CODE_SIGN) != 0
    }

    /// Has no keyUsage extension, or one that includes `digitalSignature`.
    var keyUsageAllowsSigning: Bool {
        extensionFlags & UInt32(EXFLAG_KUSAGE) == 0
            || X509_get_key_usage(pointer) & UInt32(KU_DIGITAL_SIGNATURE) != 0
    }

    /// Why the public key is not acceptable in a licensing chain, or nil when it is: RSA under
    /// 2048 bits, EC under 256 bits and DSA keys are refused (LICENSE-FORMAT.md "Envelope").
    var publicKeyWeakness: String? {
        guard let key = X509_get0_pubkey(pointer) else {
            OpenSSLErrorQueue.clear()
            return "its public key cannot be read"
        }
        let type = EVP_PKEY_get_base_id(key)
        let bits = EVP_PKEY_get_bits(key)
        if type == EVP_PKEY_DSA {
            return "it has a DSA key, which licensing chains do not accept"
        }
        if (type == EVP_PKEY_RSA || type == EVP_PKEY_RSA_PSS) && bits < 2048 {
            return "its RSA key has \(bits) bits (at least 2048 required)"
        }
        if type == EVP_PKEY_EC && bits < 256 {
            return "its EC key has \(bits) bits (at least 256 required)"
        }
        return nil
    }

    /// The name of the digest in the certificate's own signature when it is MD5 or SHA-1
    /// (or another broken one), else nil.
    var weakSignatureDigest: String? {
        var digest: Int32 = NID_undef
        var publicKeyType: Int32 = NID_undef
        var securityBits: Int32 = 0
        var flags: UInt32 = 0
        guard X509_get_signature_info(pointer, &digest, &publicKeyType, &securityBits, &flags) == 1 else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        return DigestStrength.weakName(digest)
    }

    /// RFC 2253 text of a name, UTF-8 kept as is.
    static func text(of name: OpaquePointer?) -> String {
        guard let name, let bio = try? MemoryBIO() else { return "" }
        // XN_FLAG_RFC2253 without ASN1_STRFLGS_ESC_MSB (the macro itself does not import).
        let stringFlags = ASN1_STRFLGS_ESC_2253 | ASN1_STRFLGS_ESC_CTRL | ASN1_STRFLGS_UTF8_CONVERT
            | ASN1_STRFLGS_DUMP_UNKNOWN | ASN1_STRFLGS_DUMP_DER
        let flags = UInt(stringFlags) | UInt(XN_FLAG_SEP_COMMA_PLUS) | UInt(XN_FLAG_DN_REV)
            | UInt(XN_FLAG_DUMP_UNKNOWN_FIELDS)
        guard X509_NAME_print_ex(bio.pointer, name, 0, flags) >= 0 else {
            OpenSSLErrorQueue.clear()
            return ""
        }
        return bio.text
    }

    /// An ASN.1 UTCTime/GeneralizedTime as a UTC instant.
    static func timestamp(_ time: UnsafePointer<ASN1_TIME>?) -> Timestamp? {
        guard let time else { return nil }
        var broken = tm()
        guard ASN1_TIME_to_tm(time, &broken) == 1,
              let day = CalendarDay(year: Int(broken.tm_year) + 1900, month: Int(broken.tm_mon) + 1,
                                    day: Int(broken.tm_mday))
        else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        let seconds = Int64(broken.tm_hour) * 3600 + Int64(broken.tm_min) * 60 + Int64(broken.tm_sec)
        return Timestamp(day: day).adding(seconds: seconds)
    }
}

/// Which message digests the licensing rules refuse (LICENSE-FORMAT.md: MD5 and SHA-1).
enum DigestStrength {
    /// The short name of `nid` when it is a refused digest, else nil.
    static func weakName(_ nid: Int32) -> String? {
        switch nid {
        case NID_md5: return "MD5"
        case NID_sha1: return "SHA-1"
        case NID_md5_sha1: return "MD5+SHA-1"
        case NID_md4: return "MD4"
        case NID_md2: return "MD2"
        default: return nil
        }
    }
}
