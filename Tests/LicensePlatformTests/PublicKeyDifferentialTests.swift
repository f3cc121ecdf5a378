import Foundation
@testable import LicensePlatform
import LicenseMutation
import LicensePolicy
import TestSupport
import Testing

/// A keyring whose certificates are decoded later, because `StrictKeyring` proved them
/// readable, is one that OpenSSL reads at once, whatever public keys it holds.
///
/// `TrustAnchors` skips decoding the keyring at start-up (and with it OpenSSL's provider
/// decoder framework, which decodes every certificate's key) when the layout is proven
/// readable. The proof may decline a keyring OpenSSL reads, never accept one it refuses or
/// reads as other bytes. Checked here with keys of every kind, made at test time by the
/// `openssl` CLI and certified by a P-256 root (`-force_pubkey`, so that keys that cannot sign
/// are certified too), and with thousands of ASN.1-aware and byte edits of those certificates.
/// The fuzz target `FuzzPublicKeyDifferential` checks the same property on random inputs.
@Suite struct PublicKeyDifferentialTests {
    /// `genpkey` arguments of each key, by name.
    static let keys: [(String, [String])] = [
        ("rsa2048", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
        ("rsa2048-e3", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-pkeyopt", "rsa_keygen_pubexp:3"]),
        ("rsa3072", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"]),
        ("rsa4096-e3", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096", "-pkeyopt", "rsa_keygen_pubexp:3"]),
        ("rsa-pss", ["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"]),
        ("p256", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
        ("p384", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]),
        ("p521", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"]),
        ("secp256k1", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1"]),
        ("p256-explicit", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-pkeyopt", "encoding:explicit"]),
        ("ed25519", ["-algorithm", "ED25519"]),
        ("x448", ["-algorithm", "X448"]),
    ]

    /// One certificate per key, and one with a compressed P-256 point.
    static let certificates: [(name: String, der: [UInt8])] = {
        do { return try makeCertificates() } catch { fatalError("cannot make the test certificates: \(error)") }
    }()

    @Test func everyKindOfKeyIsProvenAndReadTheSame() throws {
        #expect(Self.certificates.count == Self.keys.count + 1)
        for (name, der) in Self.certificates {
            let keyring = Self.pem(der)
            let proven = try #require(StrictKeyring.certificates(keyring), "\(name): a plain keyring must be proven readable")
            #expect(proven == [der], "\(name)")
            #expect(try X509Certificate.certificates(pem: keyring, code: .keyringUnusable, path: nil).map(\.der) == [der], "\(name)")
        }
        let all = Self.certificates.flatMap { Self.pem($0.der) }
        expectAgreement(all, "all keys in one keyring")
        #expect(StrictKeyring.certificates(all)?.count == Self.certificates.count)
    }

    @Test func editedCertificatesAreNeverProvenWhenOpenSSLRefusesThem() throws {
        var provenCount = 0, declinedButRead = 0, refused = 0
        for (name, der) in Self.certificates {
            for edited in Self.edits(of: der) {
                let keyring = Self.pem(edited)
                let proven = StrictKeyring.certificates(keyring)
                let read = try? X509Certificate.certificates(pem: keyring, code: .keyringUnusable, path: nil).map(\.der)
                if let proven {
                    provenCount += 1
                    #expect(read == proven, "\(name): an edit proven readable is read differently by OpenSSL")
                } else if read != nil {
                    declinedButRead += 1
                } else {
                    refused += 1
                }
            }
        }
        // The edits reach all three answers; only "proven but refused" must never happen.
        #expect(provenCount > 100)
        #expect(declinedButRead > 100)
        #expect(refused > 100)
    }

    @Test func otherLayoutsAreLeftToOpenSSL() throws {
        let der = try #require(Self.certificates.first).der
        let plain = String(decoding: Self.pem(der), as: UTF8.self)
        let readByOpenSSLOnly = [
            plain.replacingOccurrences(of: "\n", with: "\r\n"),
            "subject=CN=Fuzz Key\n" + plain,
            plain + "\n",
            plain.replacingOccurrences(of: "CERTIFICATE", with: "TRUSTED CERTIFICATE"),
            String(plain.dropLast()),
        ]
        for text in readByOpenSSLOnly {
            #expect(StrictKeyring.certificates(Array(text.utf8)) == nil)
            #expect((try? X509Certificate.certificates(pem: Array(text.utf8), code: .keyringUnusable, path: nil))?.count == 1)
        }
        #expect(StrictKeyring.certificates([]) == nil)
        #expect(StrictKeyring.certificates(Array("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8)) == nil)
    }

    /// A keyring decoded when the first chain is built and the same keyring decoded at once
    /// (CRLF line ends: not the proven layout) give every license the same verdict.
    @Test func deferredAndImmediateKeyringsJudgeAlike() throws {
        let pki = try TestPKI.shared()
        let plain = pki.keyringPEM
        #expect(StrictKeyring.certificates(Array(plain.utf8)) != nil, "the test PKI's keyring must be of the proven layout")
        let directory = try TemporaryDirectory()
        let crlf = try directory.write("keyring.pem", plain.replacingOccurrences(of: "\n", with: "\r\n"))
        let deferred = try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: pki.crlPath)
        let immediate = try CMSLicenseVerifier(keyringPath: crlf, crlPath: pki.crlPath)
        let document = DeviceTree.document(licenseId: "L-1", units: ["00E0C51C5087"], issued: "2026-01-01T00:00:00Z")
        for signer in TestPKI.Signer.allCases {
            let license = Array(try pki.sign(document: document, signer: signer))
            let verdict = String(describing: deferred.check(license))
            #expect(verdict == String(describing: immediate.check(license)), "\(signer)")
            #expect(verdict == String(describing: deferred.check(license)), "\(signer), asked again")
        }
    }

    /// Whatever `StrictKeyring` proves, OpenSSL reads as the same certificates.
    private func expectAgreement(_ keyring: [UInt8], _ what: String) {
        guard let proven = StrictKeyring.certificates(keyring) else { return }
        let read = try? X509Certificate.certificates(pem: keyring, code: .keyringUnusable, path: nil).map(\.der)
        #expect(read == proven, "\(what)")
    }

    /// Edits of every node of the certificate (tag, length form, content) and byte edits of
    /// its key; each is one edit of `der`.
    static func edits(of der: [UInt8]) -> [[UInt8]] {
        guard let (tree, _) = DERNode.parseOne(der[...]) else { return [] }
        var results: [[UInt8]] = []
        for path in tree.allPaths {
            let node = tree[path]!
            var variants: [(inout DERNode) -> Void] = [
                { $0.tag = [$0.firstTag ^ 0x20] }, { $0.tag = [$0.firstTag &+ 1] },
                { $0.lengthStyle = .longForm(2) }, { $0.lengthStyle = .off(by: 1) }, { $0.lengthStyle = .off(by: -1) },
            ]
            if node.primitiveBytes == nil {
                variants += [{ $0.lengthStyle = .indefinite }, { $0.content = .constructed([]) },
                             { $0.content = .constructed($0.children.dropLast()) },
                             { $0.content = .constructed($0.children + [DERNode(tag: 0x05, [])]) }]
            } else {
                variants += [{ $0.content = .primitive([]) }, { $0.content = .primitive(($0.primitiveBytes ?? []) + [0]) },
                             { $0.content = .primitive([0] + ($0.primitiveBytes ?? [])) },
                             { $0.content = .primitive(($0.primitiveBytes ?? []).map { $0 ^ 0x80 }) },
                             { $0.content = .primitive(Array(($0.primitiveBytes ?? []).dropLast())) }]
            }
            for variant in variants {
                var edited = tree
                edited.update(path, variant)
                results.append(edited.encoded)
            }
        }
        // Byte edits of the SubjectPublicKeyInfo, where the decoder framework reads.
        let keyPath = [0, (tree[[0, 0]]?.firstTag == 0xA0) ? 6 : 5]
        if let key = tree[keyPath], let start = ByteSearch.firstIndex(of: key.encoded, in: der) {
            for offset in start..<(start + key.encoded.count) {
                for mask: UInt8 in [0x01, 0x80, 0xFF] {
                    var edited = der
                    edited[offset] ^= mask
                    results.append(edited)
                }
            }
        }
        return results
    }

    /// `der` in a `CERTIFICATE` block as `PEM_write_bio_X509` writes it.
    static func pem(_ der: [UInt8]) -> [UInt8] {
        let lines = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return Array("-----BEGIN CERTIFICATE-----\n\(lines)\n-----END CERTIFICATE-----\n".utf8)
    }

    private static func makeCertificates() throws -> [(name: String, der: [UInt8])] {
        let directory = try TemporaryDirectory()
        let work = directory.path
        try ProcessRunner.checked(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                   "-keyout", "\(work)/root.key", "-subj", "/O=Test/CN=Key Root", "-days", "30", "-out", "\(work)/root.crt"])
        try ProcessRunner.checked(["openssl", "req", "-new", "-key", "\(work)/root.key", "-subj", "/O=Test/CN=Key Holder",
                                   "-out", "\(work)/holder.csr"])
        func certify(_ name: String, publicKey: String) throws -> (name: String, der: [UInt8]) {
            try ProcessRunner.checked(["openssl", "x509", "-req", "-in", "\(work)/holder.csr", "-CA", "\(work)/root.crt",
                                       "-CAkey", "\(work)/root.key", "-CAcreateserial", "-days", "30", "-force_pubkey", publicKey,
                                       "-outform", "DER", "-out", "\(work)/\(name).der"])
            return (name, Array(try Data(contentsOf: URL(fileURLWithPath: "\(work)/\(name).der"))))
        }
        var made: [(name: String, der: [UInt8])] = []
        for (name, arguments) in keys {
            try ProcessRunner.checked(["openssl", "genpkey"] + arguments + ["-out", "\(work)/\(name).key"])
            try ProcessRunner.checked(["openssl", "pkey", "-in", "\(work)/\(name).key", "-pubout", "-out", "\(work)/\(name).pub"])
            made.append(try certify(name, publicKey: "\(work)/\(name).pub"))
        }
        try ProcessRunner.checked(["openssl", "ec", "-in", "\(work)/p256.key", "-pubout", "-conv_form", "compressed",
                                   "-out", "\(work)/p256-compressed.pub"])
        made.append(try certify("p256-compressed", publicKey: "\(work)/p256-compressed.pub"))
        return made
    }
}
