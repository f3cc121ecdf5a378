import Foundation
import LicensePlatform
import LicensePolicy
import TestSupport
import Testing

/// The signature layer against licenses made by the `openssl` program (TestPKI): every
/// verdict it can give, in the contract's order (LICENSE-FORMAT.md "Envelope", "Verdicts").
@Suite struct CMSLicenseVerifierTests {
    static let document = DeviceTree.document(licenseId: "L-1", units: ["00E0C51C5087"], issued: "2026-01-01T00:00:00Z")

    let pki: TestPKI
    init() throws { pki = try TestPKI.shared() }

    func verifier(crl: Bool = false, keyring: String? = nil) throws -> CMSLicenseVerifier {
        try CMSLicenseVerifier(keyringPath: keyring ?? pki.keyringPath, crlPath: crl ? pki.crlPath : nil)
    }

    func check(_ signer: TestPKI.Signer, format: TestPKI.Format = .pem, digest: String = "sha256",
               carryIntermediate: Bool = true, crl: Bool = false, document: String = Self.document) throws -> SignatureCheck {
        let signed = try pki.sign(document: document, signer: signer, format: format, digest: digest,
                                  carryIntermediate: carryIntermediate)
        return try verifier(crl: crl).check(Array(signed))
    }

    /// The document signed by `signer`, issued at `issued`.
    static func document(issued: String, id: String = "L-1") -> String {
        DeviceTree.document(licenseId: id, units: ["00E0C51C5087"], issued: issued)
    }

    // MARK: Accepted

    @Test(arguments: [TestPKI.Format.pem, .der])
    func signedByP256LeafUnderRoot(format: TestPKI.Format) throws {
        let result = try check(.p256, format: format)
        guard case .verified(let document, let signer) = result else {
            Issue.record("expected verified, got \(result)")
            return
        }
        #expect(document.licenseId == "L-1")
        #expect(signer.subject.contains("CN=Signer p256"))
    }

    @Test(arguments: [TestPKI.Signer.rsaViaIntermediate, .p384, .viaCodeSigningIntermediate])
    func acceptedSigners(signer: TestPKI.Signer) throws {
        expectVerified(try check(signer))
    }

    /// The chain is judged at the document's `issued`: a signer whose certificate ended
    /// (2020-06-01 to 2023-01-01) signed valid licenses while it was valid, and none after.
    @Test func expiredSignerCountsAtTheIssueTime() throws {
        expectVerified(try check(.expired, document: Self.document(issued: "2022-06-01T00:00:00Z")))
        expectVerified(try check(.expired, document: Self.document(issued: "2023-01-01T00:00:00Z")), "notAfter is inclusive")
        expectRefused(try check(.expired, document: Self.document(issued: "2023-01-01T00:00:01Z")), .untrusted,
                      mentioning: "certificate has expired")
        expectRefused(try check(.expired, document: Self.document(issued: "2020-05-31T23:59:59Z")), .untrusted,
                      mentioning: "not yet valid")
    }

    /// Routine CA key rollover: the intermediate was re-issued with the same name and key, and
    /// the CMS carries the expired copy first. The chain is built at `issued`, so the copy valid
    /// then is chosen (with the dates checked afterwards instead, the first copy would be taken).
    @Test func reissuedIntermediateIsFoundInTheCopyValidAtIssue() throws {
        expectVerified(try check(.viaRolledOverIntermediate))
    }

    /// The same for a re-issued root: a keyring that lists the expired copy first still trusts.
    @Test func reissuedRootIsFoundInTheCopyValidAtIssue() throws {
        let keyring = try pki.directory.write("keyrings/rolled-\(UUID().uuidString).pem",
                                              try String(contentsOfFile: pki.expiredRootCopyPath, encoding: .utf8) + pki.keyringPEM)
        let signed = try pki.sign(document: Self.document, signer: .p256)
        expectVerified(try verifier(keyring: keyring).check(Array(signed)))
        // Only the expired copy: untrusted at the issue time.
        let onlyOld = try pki.directory.write("keyrings/old-\(UUID().uuidString).pem",
                                              try String(contentsOfFile: pki.expiredRootCopyPath, encoding: .utf8))
        expectRefused(try verifier(keyring: onlyOld).check(Array(signed)), .untrusted, mentioning: "expired")
    }

    @Test func revokedLeafIsVerifiedWhenThereIsNoCRLFile() throws {
        expectVerified(try check(.revoked, crl: false))
    }

    @Test func missingCRLFileMeansNoRevocationChecking() throws {
        let verifier = try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: pki.directory.appending("no-such-crl.pem"))
        #expect(!verifier.checksRevocation)
        let signed = try pki.sign(document: Self.document, signer: .revoked)
        expectVerified(verifier.check(Array(signed)))
    }

    // MARK: Keyring trust settings (TRUSTED CERTIFICATE blocks)

    /// `openssl x509 -trustout` output of the root with the given trust options.
    func trustedKeyring(_ options: [String]) throws -> String {
        let output = pki.directory.appending("keyrings/trusted-\(UUID().uuidString).pem")
        _ = try pki.directory.makeDirectory("keyrings")
        try ProcessRunner.checked(["openssl", "x509", "-in", pki.keyringPath, "-trustout"] + options + ["-out", output])
        return output
    }

    @Test func trustedCertificateBlockThatTrustsCodeSigningIsAnAnchor() throws {
        let keyring = try trustedKeyring(["-addtrust", "codeSigning"])
        #expect(try String(contentsOfFile: keyring, encoding: .utf8).contains("BEGIN TRUSTED CERTIFICATE"))
        let signed = try pki.sign(document: Self.document, signer: .p256)
        expectVerified(try verifier(keyring: keyring).check(Array(signed)))
    }

    @Test(arguments: [["-addreject", "codeSigning"], ["-addreject", "anyExtendedKeyUsage"]])
    func trustedCertificateBlockThatRejectsCodeSigningDistrusts(options: [String]) throws {
        let keyring = try trustedKeyring(options)
        let signed = try pki.sign(document: Self.document, signer: .p256)
        expectRefused(try verifier(keyring: keyring).check(Array(signed)), .untrusted, mentioning: "reject")
    }

    // MARK: Refused

    @Test func revokedLeafWithCRLIsRevoked() throws {
        let result = try check(.revoked, crl: true)
        let serial = try ProcessRunner.checked(["openssl", "x509", "-noout", "-serial", "-in", pki.certificatePath(.revoked)])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        expectRefused(result, .revoked, mentioning: "CN=Signer revoked")
        expectRefused(result, .revoked, mentioning: serial)
    }

    @Test func leafUnderRevokedIntermediateIsRevoked() throws {
        expectRefused(try check(.viaRevokedIntermediate, crl: true), .revoked, mentioning: "CN=Revoked Intermediate")
    }

    @Test func goodLeafIsVerifiedWithCRLFile() throws {
        expectVerified(try check(.rsaViaIntermediate, crl: true))
    }

    @Test func intermediateMissingFromTheCMSIsUntrusted() throws {
        expectRefused(try check(.rsaViaIntermediate, carryIntermediate: false), .untrusted, mentioning: "keyring anchor")
    }

    @Test func emailOnlyLeafIsUntrusted() throws {
        expectRefused(try check(.emailOnly), .untrusted, mentioning: "codeSigning")
    }

    @Test func dsaSignerIsUntrusted() throws {
        expectRefused(try check(.dsa), .untrusted, mentioning: "DSA")
    }

    @Test func intermediateRestrictedToServerAuthCannotIssueSigners() throws {
        expectRefused(try check(.viaServerAuthIntermediate), .untrusted, mentioning: "CN=TLS-only Intermediate")
    }

    /// Verdict order: an untrusted file whose document is also broken is `untrusted`, a
    /// trusted one `malformed`.
    @Test func untrustedComesBeforeMalformedDocument() throws {
        expectRefused(try check(.outsider, document: "{}"), .untrusted, mentioning: "keyring anchor")
        expectRefused(try check(.p256, document: "{}"), .malformed, mentioning: "format")
        expectRefused(try check(.p256, document: #"{"format":2}"#), .unsupportedFormat, mentioning: "format 2")
    }

    @Test func rsa1024LeafIsUntrusted() throws {
        expectRefused(try check(.rsa1024), .untrusted, mentioning: "1024 bits")
    }

    @Test func sha1DigestIsUntrusted() throws {
        expectRefused(try check(.p256, digest: "sha1"), .untrusted, mentioning: "SHA-1")
    }

    @Test func outsiderRootIsUntrusted() throws {
        expectRefused(try check(.outsider), .untrusted, mentioning: "keyring anchor")
    }

    @Test func signerCertificateNotInTheCMSIsUntrusted() throws {
        let signed = try openssl(["-sign", "-nodetach", "-nocerts"], signer: .p256, outform: "DER")
        expectRefused(try verifier().check(signed), .untrusted, mentioning: "not included")
    }

    @Test func flippedContentByteIsBadSignature() throws {
        var bytes = Array(try pki.sign(document: Self.document, signer: .p256, format: .der))
        let needle = Array("L-1".utf8)
        let start = try #require(bytes.indices.first { bytes[$0...].starts(with: needle) })
        bytes[start + 2] = UInt8(ascii: "2")
        expectRefused(try verifier().check(bytes), .badSignature, mentioning: "signature does not verify")
    }

    @Test func detachedSignatureIsMalformed() throws {
        let signed = try openssl(["-sign"], signer: .p256, outform: "DER")
        expectRefused(try verifier().check(signed), .malformed, mentioning: "detached")
    }

    @Test func twoSignerInfosAreMalformed() throws {
        let signed = try openssl(["-sign", "-nodetach", "-signer", pki.certificatePath(.p384), "-inkey", pki.keyPath(.p384)],
                                 signer: .p256, outform: "PEM")
        expectRefused(try verifier().check(signed), .malformed, mentioning: "2 SignerInfos")
    }

    @Test func cmsThatIsNotSignedDataIsMalformed() throws {
        let input = try pki.directory.write("plain-\(UUID().uuidString).json", Self.document)
        let data = try ProcessRunner.checked(["openssl", "cms", "-data_create", "-binary", "-in", input, "-outform", "PEM"])
        expectRefused(try verifier().check(Array(data.stdout.utf8)), .malformed, mentioning: "not SignedData")
    }

    @Test(arguments: [TestPKI.Format.pem, .der])
    func truncatedFileIsMalformed(format: TestPKI.Format) throws {
        let bytes = Array(try pki.sign(document: Self.document, signer: .p256, format: format))
        expectRefused(try verifier().check(Array(bytes.prefix(bytes.count / 2))), .malformed, mentioning: "truncated")
    }

    @Test func emptyFileIsMalformed() throws {
        expectRefused(try verifier().check([]), .malformed, mentioning: "empty")
    }

    @Test func randomBytesAreMalformed() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<2000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        expectRefused(try verifier().check(bytes), .malformed, mentioning: "not a CMS")
    }

    @Test(arguments: [Self.document, "hello, this is not a license\n", "-----BEGIN CMS-----\nnot base64!\n-----END CMS-----\n"])
    func textThatIsNotCMSIsMalformed(text: String) throws {
        expectRefused(try verifier().check(Array(text.utf8)), .malformed, mentioning: "not a CMS")
    }

    @Test func certificatePEMIsMalformed() throws {
        let pem = try String(contentsOfFile: pki.certificatePath(.p256), encoding: .utf8)
        expectRefused(try verifier().check(Array(pem.utf8)), .malformed, mentioning: "not a CMS")
    }

    @Test func oversizeFileIsMalformedBeforeParsing() throws {
        var bytes = Array(try pki.sign(document: Self.document, signer: .p256, format: .pem))
        bytes += Array(repeating: UInt8(ascii: "\n"), count: 65_537 - bytes.count)
        #expect(bytes.count == 65_537)
        expectRefused(try verifier().check(bytes), .malformed, mentioning: "larger than 64 KiB")
        // The same license padded to exactly the limit is still read.
        expectVerified(try verifier().check(Array(bytes.dropLast())), "a 65536-byte license must be parsed")
    }

    // MARK: Cache

    @Test func cachedSignerStillDependsOnTheCarriedCertificates() throws {
        let verifier = try verifier()
        let carried = Array(try pki.sign(document: Self.document, signer: .rsaViaIntermediate))
        let bare = Array(try pki.sign(document: Self.document, signer: .rsaViaIntermediate, carryIntermediate: false))
        for _ in 0..<3 {
            expectVerified(verifier.check(carried))
            expectRefused(verifier.check(bare), .untrusted, mentioning: "keyring anchor")
        }
    }

    /// A trusted chain is reused only for instants it covers: the same signer's license
    /// issued after its certificate ended is refused even when the chain was cached before.
    @Test func cachedChainStillDependsOnTheIssueTime() throws {
        let verifier = try verifier()
        let inside = Array(try pki.sign(document: Self.document(issued: "2022-06-01T00:00:00Z"), signer: .expired))
        let after = Array(try pki.sign(document: Self.document(issued: "2024-06-01T00:00:00Z", id: "L-2"), signer: .expired))
        for _ in 0..<3 {
            expectVerified(verifier.check(inside))
            expectRefused(verifier.check(after), .untrusted, mentioning: "expired")
        }
    }

    // MARK: Helpers

    /// `openssl cms` with the given extra arguments, signing the document with `signer`.
    func openssl(_ extra: [String], signer: TestPKI.Signer, outform: String) throws -> [UInt8] {
        let name = UUID().uuidString
        let input = try pki.directory.write("raw-\(name).json", Self.document)
        let output = pki.directory.appending("raw-\(name).out")
        try ProcessRunner.checked(["openssl", "cms"] + extra + ["-binary", "-md", "sha256", "-in", input,
                                  "-signer", pki.certificatePath(signer), "-inkey", pki.keyPath(signer),
                                  "-outform", outform, "-out", output])
        return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
    }
}

func expectVerified(_ result: SignatureCheck, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    guard case .verified = result else {
        Issue.record("expected verified, got \(result)\(comment.map { " (\($0))" } ?? "")", sourceLocation: sourceLocation)
        return
    }
}

func expectRefused(_ result: SignatureCheck, _ verdict: Verdict, mentioning text: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    guard case .refused(let actual, let detail) = result else {
        Issue.record("expected \(verdict.rawValue), got \(result)", sourceLocation: sourceLocation)
        return
    }
    #expect(actual == verdict, "detail: \(detail)", sourceLocation: sourceLocation)
    #expect(detail.contains(text), "detail: \(detail)", sourceLocation: sourceLocation)
    #expect(!detail.contains("\n"), sourceLocation: sourceLocation)
}
