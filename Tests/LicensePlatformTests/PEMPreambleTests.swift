import Foundation
@testable import LicensePlatform
import LicensePolicy
import TestSupport
import Testing

/// A license with text before its PEM block (LICENSE-FORMAT.md "Envelope": PEM is read as
/// OpenSSL's PEM reader reads it; text before the first `-----BEGIN` line is skipped, the
/// first CMS/PKCS7 block is the license). The `openssl cms -verify -inform PEM` program is
/// the reference: for every spelling here, the full path verifies exactly when it does, and
/// the fast path, once it knows the chain, proves only what the full path verifies.
@Suite struct PEMPreambleTests {
    static let document = DeviceTree.document(licenseId: "L-PRE", units: ["00E0C51C5087"], issued: "2026-01-01T00:00:00Z")

    let pki: TestPKI
    /// The license as `openssl cms -sign -outform PEM` writes it.
    let pem: String
    init() throws {
        pki = try TestPKI.shared()
        pem = String(decoding: try pki.sign(document: Self.document, signer: .p256), as: UTF8.self)
    }

    /// One spelling of the license file and whether OpenSSL reads it.
    struct Spelling: Sendable, CustomTestStringConvertible {
        let name: String
        let make: @Sendable (_ pem: String) -> String
        let openSSLReadsIt: Bool
        var testDescription: String { name }
    }

    static let certificateBlock = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"

    static let spellings: [Spelling] = [
        .init(name: "a mail header", make: { "Subject: License EMP-R9HXH\r\nFrom: licensing@vendor.example\r\n\r\n" + $0 },
              openSSLReadsIt: true),
        .init(name: "a note without a blank line", make: { "license for unit 00E0C51C5087\n" + $0 }, openSSLReadsIt: true),
        .init(name: "blank lines", make: { "\n\n  \n" + $0 }, openSSLReadsIt: true),
        .init(name: "a note starting with 0 (a DER SEQUENCE tag)", make: { "0 licenses follow\n" + $0 }, openSSLReadsIt: true),
        .init(name: "a block of another label", make: { "-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n" + $0 },
              openSSLReadsIt: true),
        .init(name: "a PKCS7 label after a note", make: { "note\n" + $0.replacingAll("CMS", "PKCS7") }, openSSLReadsIt: true),
        .init(name: "text after the END line", make: { $0 + "-- \nThe licensing team\n" }, openSSLReadsIt: true),
        .init(name: "text before and after", make: { "Subject: x\n\n" + $0 + "\n-- \nsignature\n" }, openSSLReadsIt: true),
        // The begin line OpenSSL finds where a line longer than its 254-byte buffer is cut.
        .init(name: "the block after 254 bytes of a line", make: { String(repeating: "x", count: 254) + $0 },
              openSSLReadsIt: true),
        // OpenSSL's reader takes a CERTIFICATE block for CMS (`check_pem`): the first block is then
        // a certificate, not a license.
        .init(name: "a CERTIFICATE block first", make: { Self.certificateBlock + $0 }, openSSLReadsIt: false),
        .init(name: "an empty CMS block first", make: { "-----BEGIN CMS-----\nMAA=\n-----END CMS-----\n" + $0 },
              openSSLReadsIt: false),
        .init(name: "a BEGIN line without END first", make: { "-----BEGIN CMS-----\n" + $0 }, openSSLReadsIt: false),
        .init(name: "the block after 255 bytes of a line", make: { String(repeating: "x", count: 255) + $0 },
              openSSLReadsIt: false),
    ]

    func write(_ text: String) throws -> String {
        try pki.directory.write("documents/\(UUID().uuidString).lic", text)
    }

    /// What `openssl cms -verify -binary -inform PEM -purpose any -CAfile keyring.pem` says.
    func openSSLVerifies(_ path: String) throws -> Bool {
        try ProcessRunner.run(["openssl", "cms", "-verify", "-binary", "-inform", "PEM", "-purpose", "any",
                               "-CAfile", pki.keyringPath, "-in", path, "-out", "/dev/null"]).status == 0
    }

    @Test(arguments: spellings)
    func fullPathReadsPEMAsOpenSSLDoes(spelling: Spelling) throws {
        let text = spelling.make(pem)
        #expect(try openSSLVerifies(try write(text)) == spelling.openSSLReadsIt, "the reference itself")
        let verifier = try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: nil, fastPath: false, cachesChains: true)
        let result = verifier.check(Array(text.utf8))
        if spelling.openSSLReadsIt {
            expectVerified(result, "\(spelling.name)")
        } else {
            expectRefused(result, .malformed, mentioning: "not a CMS structure (PEM)")
        }
    }

    /// Once the full path has verified the plain file, the fast path proves the files it can
    /// read with the full path's answer, and sends the others there.
    @Test(arguments: spellings)
    func fastPathNeverAnswersOtherwise(spelling: Spelling) throws {
        let primed = try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: nil)
        let fastPath = try #require(primed.fastPath)
        expectVerified(primed.check(Array(pem.utf8)))
        let bytes = Array(spelling.make(pem).utf8)
        guard let proof = fastPath.check(bytes)?.proof else { return }
        let reference = try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: nil, fastPath: false, cachesChains: true)
        guard case .verified(let document, let signer) = reference.check(bytes) else {
            Issue.record("the fast path proved \(spelling.name), which the full path refuses")
            return
        }
        #expect(proof == Proof(document: document, signer: signer))
    }

    /// The spellings a mailed or annotated license comes in are proven by the fast path too.
    @Test func fastPathProvesAMailedLicense() throws {
        let primed = try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: nil)
        let fastPath = try #require(primed.fastPath)
        expectVerified(primed.check(Array(pem.utf8)))
        for text in ["Subject: License\r\n\r\n" + pem, "\n" + pem, pem + "-- \nsignature\n", "note\n" + pem + "trailer"] {
            #expect(fastPath.check(Array(text.utf8))?.proof?.document.licenseId == "L-PRE", "\(text.prefix(30))")
        }
    }

    /// The 64 KiB limit is the whole file's, preamble included.
    @Test func sizeLimitCountsThePreamble() throws {
        let padding = String(repeating: "note line\n", count: (LicenseLimits.maximumFileSize - pem.utf8.count) / 10 + 1)
        let text = padding + pem
        #expect(text.utf8.count > LicenseLimits.maximumFileSize)
        let verifier = try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: nil)
        expectVerified(verifier.check(Array(pem.utf8)))
        expectRefused(verifier.check(Array(text.utf8)), .malformed, mentioning: "larger than 64 KiB")
        // One line of notes that fills the file to the limit exactly.
        let filled = String(repeating: "n", count: LicenseLimits.maximumFileSize - pem.utf8.count - 1) + "\n" + pem
        #expect(filled.utf8.count == LicenseLimits.maximumFileSize)
        expectVerified(verifier.check(Array(filled.utf8)), "exactly 64 KiB with its preamble")
    }

    // MARK: The fast path's PEM reader

    static let der: [UInt8] = Array(0..<200).map { UInt8(truncatingIfNeeded: $0 * 7) }
    /// `der` in the layout `openssl cms -outform PEM` writes.
    static var block: String {
        let body = Array(StrictEncodingTests.base64(der))
        let lines = stride(from: 0, to: body.count, by: 64).map { String(body[$0..<min($0 + 64, body.count)]) }
        return "-----BEGIN CMS-----\n" + lines.joined(separator: "\n") + "\n-----END CMS-----\n"
    }

    @Test(arguments: ["Subject: x\r\n\r\n", "\n", "note\n", "a\u{0}b\n", "line one\nline two\n\n", "-----END CMS-----\n"])
    func strictPEMSkipsTextBeforeTheBlock(preamble: String) {
        #expect(StrictPEM.decode(Array((preamble + Self.block).utf8)) == Self.der)
    }

    @Test(arguments: ["\n", "trailing words\n", "-----BEGIN CMS-----\nAAAA\n-----END CMS-----\n", "x"])
    func strictPEMIgnoresTextAfterTheEndLine(trailer: String) {
        #expect(StrictPEM.decode(Array((Self.block + trailer).utf8)) == Self.der)
    }

    /// Whatever OpenSSL might read otherwise than this reader is left to the full path.
    @Test(arguments: [
        "0 note\n" + block, " " + block, "\u{FEFF}" + block, "note " + block, block.replacingAll("CMS", "PKCS7"),
        certificateBlock + block, "-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n" + block, "a -----BEGIN b\n" + block,
        String(block.dropLast()) + "x\n", String(block.dropLast()) + " \n", String(block.dropLast()) + "\r\n",
    ])
    func strictPEMLeavesTheRestToTheFullPath(text: String) {
        #expect(StrictPEM.decode(Array(text.utf8)) == nil)
    }
}
