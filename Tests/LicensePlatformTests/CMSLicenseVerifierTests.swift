import Foundation
import LicensePlatform
import LicensePolicy
import TestSupport
import Testing

/// The signature layer against licenses made by the `openssl` program (TestPKI): every
/// verdict it can give, in the contract's order (LICENSE-FORMAT.md "Envelope", "Verdicts").
@Suite struct CMSLicenseVerifierTests {
    static let document = #"{"format":1,"licenseId":"L-1","issued":"2026-01-01T00:00:00Z","units":["00E0C51C5087"]}"#

    let pki: TestPKI
    init() throws { pki = try TestPKI.shared() }

    func verifier(crl: Bool = false) throws -> CMSLicenseVerifier {
        try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: crl ? pki.crlPath : nil)
    }

    func check(_ signer: TestPKI.Signer, format: TestPKI.Format = .pem, digest: String = "sha256",
               carryIntermediate: Bool = true, crl: Bool = false) throws -> SignatureCheck {
        let signed = try pki.sign(document: Self.document, signer: signer, format: format, digest: digest,
                                  carryIntermediate: carryIntermediate)
        return try verifier(crl: crl).check(Array(signed))
    }

    // MARK: Accepted

    @Test(arguments: [TestPKI.Format.pem, .der])
    func signedByP256LeafUnderRoot(format: TestPKI.Format) throws {
        let result = try check(.p256, format: format)
        guard case .signed(let content, let signer) = result else {
            Issue.record("expected signed, got \(result)")
            return
        }
        #expect(content == Array(Self.document.utf8))
        #expect(signer.subject.contains("CN=Signer p256"))
    }

    @Test func rsaLeafThroughCarriedIntermediateReportsTheChainWindow() throws {
        let result = try check(.rsaViaIntermediate)
        guard case .signed(_, let signer) = result else {
            Issue.record("expected signed, got \(result)")
            return
        }
        // Latest notBefore is the leaf's (2022), earliest notAfter is the leaf's (2040),
        // both inside the intermediate (2021–2042) and root (2020–2045).
        let leaf = TestPKI.validity(of: .rsaViaIntermediate)
        #expect(signer.chainValidFrom == timestamp(leaf.notBefore))
        #expect(signer.chainValidUntil == timestamp(leaf.notAfter))
        #expect(timestamp(TestPKI.intermediateValidity.notBefore) < signer.chainValidFrom)
    }

    @Test func p384LeafIsSigned() throws {
        let result = try check(.p384)
        guard case .signed = result else {
            Issue.record("expected signed, got \(result)")
            return
        }
    }

    @Test func expiredSignerIsSignedWithAWindowInThePast() throws {
        let result = try check(.expired)
        guard case .signed(_, let signer) = result else {
            Issue.record("expected signed, got \(result)")
            return
        }
        // The root starts 2020-01-01, the leaf 2020-06-01 and ends 2023-01-01: the policy
        // layer decides against `issued`.
        #expect(signer.chainValidFrom == timestamp(TestPKI.validity(of: .expired).notBefore))
        #expect(signer.chainValidUntil == timestamp(TestPKI.validity(of: .expired).notAfter))
        #expect(signer.chainValidUntil < timestamp(Date()))
    }

    @Test func revokedLeafIsSignedWhenThereIsNoCRLFile() throws {
        let result = try check(.revoked, crl: false)
        guard case .signed = result else {
            Issue.record("expected signed, got \(result)")
            return
        }
    }

    @Test func missingCRLFileMeansNoRevocationChecking() throws {
        let verifier = try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: pki.directory.appending("no-such-crl.pem"))
        #expect(!verifier.checksRevocation)
        let signed = try pki.sign(document: Self.document, signer: .revoked)
        guard case .signed = verifier.check(Array(signed)) else {
            Issue.record("expected signed")
            return
        }
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

    @Test func goodLeafIsSignedWithCRLFile() throws {
        let result = try check(.rsaViaIntermediate, crl: true)
        guard case .signed = result else {
            Issue.record("expected signed, got \(result)")
            return
        }
    }

    @Test func intermediateMissingFromTheCMSIsUntrusted() throws {
        expectRefused(try check(.rsaViaIntermediate, carryIntermediate: false), .untrusted, mentioning: "keyring anchor")
    }

    @Test func emailOnlyLeafIsUntrusted() throws {
        expectRefused(try check(.emailOnly), .untrusted, mentioning: "codeSigning")
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
        guard case .signed = try verifier().check(Array(bytes.dropLast())) else {
            Issue.record("a 65536-byte license must be parsed")
            return
        }
    }

    // MARK: Cache

    @Test func cachedSignerStillDependsOnTheCarriedCertificates() throws {
        let verifier = try verifier()
        let carried = Array(try pki.sign(document: Self.document, signer: .rsaViaIntermediate))
        let bare = Array(try pki.sign(document: Self.document, signer: .rsaViaIntermediate, carryIntermediate: false))
        for _ in 0..<3 {
            guard case .signed = verifier.check(carried) else {
                Issue.record("expected signed")
                return
            }
            expectRefused(verifier.check(bare), .untrusted, mentioning: "keyring anchor")
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

func timestamp(_ date: Date) -> Timestamp { Timestamp(secondsSinceEpoch: Int64(date.timeIntervalSince1970.rounded())) }

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
