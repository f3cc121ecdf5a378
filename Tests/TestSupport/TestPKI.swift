import Foundation
import Synchronization

/// A licensing PKI made with the `openssl` program at test time, in its own temp directory:
/// the real tool the vendor uses, so the agent is tested against what `openssl cms -sign`
/// really produces rather than against its own signer.
///
/// Layout (validity from a fixed day in the past to years after today, see `validity(of:)`):
/// - `root` (in the keyring) issues `intermediate`, `p256`, `p384`, `emailOnly`, `rsa1024`,
///   `expired`, and a second intermediate that it revokes;
/// - `intermediate` issues `rsaViaIntermediate` and `revoked` (which it revokes);
/// - `outsiderRoot` (not in the keyring) issues `outsider`.
/// `crlPath` holds the CRLs of `root` and `intermediate`.
public final class TestPKI: @unchecked Sendable {
    /// The leaf certificates a license can be signed with.
    public enum Signer: String, CaseIterable, Sendable {
        /// RSA-2048 codeSigning leaf under the intermediate CA.
        case rsaViaIntermediate
        /// P-256 codeSigning leaf under the root.
        case p256
        /// P-384 codeSigning leaf under the root.
        case p384
        /// P-256 leaf with extendedKeyUsage emailProtection only, under the root.
        case emailOnly
        /// RSA-1024 codeSigning leaf under the root.
        case rsa1024
        /// RSA-2048 codeSigning leaf under the intermediate, on the intermediate's CRL.
        case revoked
        /// P-256 codeSigning leaf under a second intermediate that is on the root's CRL.
        case viaRevokedIntermediate
        /// P-256 codeSigning leaf under a root that is not in the keyring.
        case outsider
        /// P-256 codeSigning leaf under the root whose validity ended on 2023-01-01.
        case expired
        /// DSA-2048 codeSigning leaf under the root (DSA is refused anywhere in a chain).
        case dsa
        /// P-256 codeSigning leaf under an intermediate restricted to serverAuth.
        case viaServerAuthIntermediate
        /// P-256 codeSigning leaf under an intermediate whose extendedKeyUsage is codeSigning.
        case viaCodeSigningIntermediate
        /// P-256 codeSigning leaf under an intermediate that was re-issued with the same name and
        /// key: the CMS carries the expired copy (2018–2021) first, then the current one.
        case viaRolledOverIntermediate

        /// The CA certificates carried with `-certfile`, in this order, when it is not a root's.
        var intermediates: [String] {
            switch self {
            case .rsaViaIntermediate, .revoked: return ["intermediate/ca.crt"]
            case .viaRevokedIntermediate: return ["revoked-intermediate/ca.crt"]
            case .viaServerAuthIntermediate: return ["serverauth-intermediate/ca.crt"]
            case .viaCodeSigningIntermediate: return ["codesigning-intermediate/ca.crt"]
            case .viaRolledOverIntermediate: return ["rollover-intermediate/old.crt", "rollover-intermediate/ca.crt"]
            default: return []
            }
        }
    }

    /// Output encoding of `openssl cms -sign`.
    public enum Format: String, Sendable {
        case pem = "PEM"
        case der = "DER"
    }

    /// A certificate's validity period.
    public struct Validity: Sendable, Equatable {
        public let notBefore: Date
        public let notAfter: Date
    }

    public let directory: TemporaryDirectory

    /// PEM file with the root certificate: what a device trusts.
    public var keyringPath: String { directory.appending("root/ca.crt") }
    public var keyringPEM: String { (try? String(contentsOfFile: keyringPath, encoding: .utf8)) ?? "" }
    /// PEM file with the CRLs of the root (listing the revoked intermediate) and of the
    /// intermediate (listing `revoked`).
    public var crlPath: String { directory.appending("crl.pem") }
    /// PEM file with the intermediate CA certificate (issuer of `rsaViaIntermediate`, `revoked`).
    public var intermediatePath: String { directory.appending("intermediate/ca.crt") }
    /// The outsider root's certificate (not in the keyring).
    public var outsiderRootPath: String { directory.appending("outsider-root/ca.crt") }
    /// The root re-issued with the same name and key, valid 2015–2019 only (expired).
    public var expiredRootCopyPath: String { directory.appending("root/old.crt") }

    public func certificatePath(_ signer: Signer) -> String { directory.appending("leaves/\(signer.rawValue).crt") }
    public func keyPath(_ signer: Signer) -> String { directory.appending("leaves/\(signer.rawValue).key") }

    /// Builds the whole PKI (a few dozen `openssl` runs; well under a second or two).
    public init() throws {
        directory = try TemporaryDirectory("test-pki")
        try directory.write("extensions.cnf", Self.extensions)
        let root = try makeCA("root", subject: "/O=Test Vendor/CN=Test Licensing Root", issuer: nil)
        let outsider = try makeCA("outsider-root", subject: "/O=Someone Else/CN=Outsider Root", issuer: nil)
        let intermediate = try makeCA("intermediate", subject: "/O=Test Vendor/CN=Test Licensing Intermediate",
                                      issuer: root, validity: ("20210101000000Z", Self.intermediateEnd))
        let revokedIntermediate = try makeCA("revoked-intermediate", subject: "/O=Test Vendor/CN=Revoked Intermediate",
                                             issuer: root, validity: ("20210101000000Z", Self.intermediateEnd))
        _ = try makeCA("serverauth-intermediate", subject: "/O=Test Vendor/CN=TLS-only Intermediate", issuer: root,
                       validity: ("20210101000000Z", Self.intermediateEnd), section: "v3_ca_serverauth")
        _ = try makeCA("codesigning-intermediate", subject: "/O=Test Vendor/CN=Code-signing Intermediate", issuer: root,
                       validity: ("20210101000000Z", Self.intermediateEnd), section: "v3_ca_codesign")
        _ = try makeCA("rollover-intermediate", subject: "/O=Test Vendor/CN=Rolled-over Intermediate", issuer: root,
                       validity: ("20210101000000Z", Self.intermediateEnd))
        // The same request (name and key) issued once more with an earlier, ended validity:
        // the copy a routine key rollover leaves behind.
        try reissue("rollover-intermediate", by: root, validity: ("20180101000000Z", "20210101000000Z"))
        try reissue(root, by: nil, validity: ("20150101000000Z", "20190101000000Z"))
        let leaves: [(Signer, String, String, String)] = [
            (.rsaViaIntermediate, "rsa:2048", "intermediate", "v3_code"),
            (.p256, "P-256", "root", "v3_code"),
            (.p384, "P-384", "root", "v3_code"),
            (.emailOnly, "P-256", "root", "v3_email"),
            (.rsa1024, "rsa:1024", "root", "v3_code"),
            (.revoked, "rsa:2048", "intermediate", "v3_code"),
            (.viaRevokedIntermediate, "P-256", "revoked-intermediate", "v3_code"),
            (.outsider, "P-256", "outsider-root", "v3_code"),
            (.expired, "P-256", "root", "v3_code"),
            (.dsa, "dsa:2048", "root", "v3_code"),
            (.viaServerAuthIntermediate, "P-256", "serverauth-intermediate", "v3_code"),
            (.viaCodeSigningIntermediate, "P-256", "codesigning-intermediate", "v3_code"),
            (.viaRolledOverIntermediate, "P-256", "rollover-intermediate", "v3_code"),
        ]
        _ = try directory.makeDirectory("leaves")
        for (signer, key, issuer, section) in leaves {
            let dates = Self.dateStrings(of: signer)
            try issue(name: "leaves/\(signer.rawValue)", subject: "/O=Test Vendor/CN=Signer \(signer.rawValue)",
                      key: key, by: issuer, section: section, validity: dates)
        }
        try run(["openssl", "ca", "-batch", "-config", config(intermediate), "-revoke", certificatePath(.revoked)])
        try run(["openssl", "ca", "-batch", "-config", config(root), "-revoke", directory.appending("revoked-intermediate/ca.crt")])
        var crls = ""
        for ca in [root, intermediate] {
            let out = directory.appending("\(ca)/crl.pem")
            try run(["openssl", "ca", "-batch", "-config", config(ca), "-gencrl", "-crldays", "3650", "-out", out])
            crls += try String(contentsOfFile: out, encoding: .utf8)
        }
        try directory.write("crl.pem", crls)
        _ = outsider
        _ = revokedIntermediate
    }

    /// Signs `document` exactly as the vendor does:
    /// `openssl cms -sign -binary -nodetach -md DIGEST -in doc -signer crt -inkey key
    /// [-certfile intermediate] -outform PEM|DER`. The intermediate is carried unless
    /// `carryIntermediate` is false.
    public func sign(document: String, signer: Signer, format: Format = .pem, digest: String = "sha256",
                     carryIntermediate: Bool = true) throws -> Data {
        let name = UUID().uuidString
        let input = try directory.write("documents/\(name).json", document)
        let output = directory.appending("documents/\(name).lic")
        var arguments = ["openssl", "cms", "-sign", "-binary", "-nodetach", "-md", digest, "-in", input,
                         "-signer", certificatePath(signer), "-inkey", keyPath(signer)]
        if carryIntermediate, !signer.intermediates.isEmpty {
            let bundle = try signer.intermediates.map { try String(contentsOfFile: directory.appending($0), encoding: .utf8) }
            arguments += ["-certfile", try directory.write("documents/\(name).chain.pem", bundle.joined())]
        }
        arguments += ["-outform", format.rawValue, "-out", output]
        try run(arguments)
        return try Data(contentsOf: URL(fileURLWithPath: output))
    }

    /// Validity of each leaf.
    public static func validity(of signer: Signer) -> Validity {
        let dates = dateStrings(of: signer)
        return Validity(notBefore: date(dates.0), notAfter: date(dates.1))
    }

    /// Validity of the CA certificates: roots and intermediates.
    public static var rootValidity: Validity { Validity(notBefore: date("20200101000000Z"), notAfter: date(rootEnd)) }
    public static var intermediateValidity: Validity {
        Validity(notBefore: date("20210101000000Z"), notAfter: date(intermediateEnd))
    }

    /// The ends of validity, relative to the clock the PKI is made on: a license `issued`
    /// today verifies on any day the suite runs. The beginnings stay fixed in the past, so a
    /// license with a fixed `issued` (2022 or later) is inside its chain too.
    static var leafEnd: String { TestServerCA.generalizedTime(yearsFromNow(20)) }
    static var intermediateEnd: String { TestServerCA.generalizedTime(yearsFromNow(22)) }
    static var rootEnd: String { TestServerCA.generalizedTime(yearsFromNow(25)) }

    private static func yearsFromNow(_ years: Int) -> Date {
        Calendar(identifier: .gregorian).date(byAdding: .year, value: years, to: Date())!
    }

    private static func dateStrings(of signer: Signer) -> (String, String) {
        signer == .expired ? ("20200601000000Z", "20230101000000Z") : ("20220101000000Z", leafEnd)
    }

    private static func date(_ text: String) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss'Z'"
        return formatter.date(from: text)!
    }

    // MARK: Building

    private func config(_ ca: String) -> String { directory.appending("\(ca)/ca.cnf") }

    /// A CA directory for `openssl ca` with its key and certificate (self-signed when `issuer` is nil).
    private func makeCA(_ name: String, subject: String, issuer: String?,
                        validity: (String, String) = ("20200101000000Z", TestPKI.rootEnd),
                        section: String = "v3_ca") throws -> String {
        let home = try directory.makeDirectory(name)
        _ = try directory.makeDirectory("\(name)/issued")
        try directory.write("\(name)/index.txt", "")
        try directory.write("\(name)/serial", String(format: "%04X\n", Int.random(in: 0x1000...0xEFFF)))
        try directory.write("\(name)/crlnumber", "1000\n")
        try directory.write("\(name)/ca.cnf", Self.caConfig(home: home))
        if let issuer {
            try issue(name: name + "/ca", subject: subject, key: "rsa:2048", by: issuer, section: section, validity: validity)
        } else {
            try generateKey("rsa:2048", to: "\(home)/ca.key")
            try run(["openssl", "req", "-new", "-key", "\(home)/ca.key", "-subj", subject, "-out", "\(home)/ca.csr"])
            try run(["openssl", "ca", "-batch", "-config", config(name), "-selfsign", "-keyfile", "\(home)/ca.key",
                     "-in", "\(home)/ca.csr", "-startdate", validity.0, "-enddate", validity.1,
                     "-extfile", directory.appending("extensions.cnf"), "-extensions", "v3_ca",
                     "-notext", "-out", "\(home)/ca.crt"])
        }
        return name
    }

    /// A key `name.key` and a certificate `name.crt` issued by the CA `ca` with the extension
    /// section `section` of extensions.cnf.
    private func issue(name: String, subject: String, key: String, by ca: String, section: String,
                       validity: (String, String)) throws {
        let base = directory.appending(name)
        try generateKey(key, to: base + ".key")
        try run(["openssl", "req", "-new", "-key", base + ".key", "-subj", subject, "-out", base + ".csr"])
        try run(["openssl", "ca", "-batch", "-config", config(ca), "-cert", directory.appending("\(ca)/ca.crt"),
                 "-keyfile", directory.appending("\(ca)/ca.key"), "-in", base + ".csr",
                 "-startdate", validity.0, "-enddate", validity.1,
                 "-extfile", directory.appending("extensions.cnf"), "-extensions", section,
                 "-notext", "-out", base + ".crt"])
    }

    /// The CA `name`'s certificate request (same subject, same key) issued again as
    /// `name/old.crt` with `validity`, by `issuer` (or self-signed when nil).
    private func reissue(_ name: String, by issuer: String?, validity: (String, String)) throws {
        let home = directory.appending(name)
        var arguments = ["openssl", "ca", "-batch", "-config", config(issuer ?? name), "-in", "\(home)/ca.csr",
                         "-startdate", validity.0, "-enddate", validity.1,
                         "-extfile", directory.appending("extensions.cnf"), "-extensions", "v3_ca",
                         "-notext", "-out", "\(home)/old.crt"]
        if let issuer {
            arguments += ["-cert", directory.appending("\(issuer)/ca.crt"), "-keyfile", directory.appending("\(issuer)/ca.key")]
        } else {
            arguments += ["-selfsign", "-keyfile", "\(home)/ca.key"]
        }
        try run(arguments)
    }

    /// `rsa:BITS`, `dsa:BITS` or an EC curve name.
    private func generateKey(_ key: String, to path: String) throws {
        if key.hasPrefix("dsa:") {
            let parameters = path + ".parameters"
            try run(["openssl", "genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt",
                     "dsa_paramgen_bits:\(key.dropFirst(4))", "-out", parameters])
            try run(["openssl", "genpkey", "-paramfile", parameters, "-out", path])
            return
        }
        let options = key.hasPrefix("rsa:")
            ? ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:\(key.dropFirst(4))"]
            : ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:\(key)"]
        try run(["openssl", "genpkey"] + options + ["-out", path])
    }

    private func run(_ arguments: [String]) throws {
        try ProcessRunner.checked(arguments)
    }

    private static func caConfig(home: String) -> String {
        """
        [ ca ]
        default_ca = this
        [ this ]
        dir = \(home)
        database = \(home)/index.txt
        new_certs_dir = \(home)/issued
        serial = \(home)/serial
        crlnumber = \(home)/crlnumber
        certificate = \(home)/ca.crt
        private_key = \(home)/ca.key
        default_md = sha256
        policy = anything
        unique_subject = no
        copy_extensions = none
        default_crl_days = 3650
        [ anything ]
        organizationName = optional
        commonName = supplied
        """
    }

    private static let extensions = """
        [ v3_ca ]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid:always
        [ v3_ca_serverauth ]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        extendedKeyUsage = serverAuth
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid:always
        [ v3_ca_codesign ]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        extendedKeyUsage = codeSigning
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid:always
        [ v3_code ]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = codeSigning
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid:always
        [ v3_email ]
        basicConstraints = critical,CA:FALSE
        keyUsage = critical,digitalSignature,keyEncipherment
        extendedKeyUsage = emailProtection
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid:always
        """

    // MARK: Sharing

    /// One PKI per test process, for tests that only read it (building one takes a moment).
    /// Removed when the process exits.
    public static func shared() throws -> TestPKI {
        try sharedInstance.withLock { instance in
            if let instance { return instance }
            let made = try TestPKI()
            instance = made
            atexit { TestPKI.sharedInstance.withLock { $0 = nil } }
            return made
        }
    }

    private static let sharedInstance = Mutex<TestPKI?>(nil)
}
