import Foundation
import LicensePlatform
import LicensePolicy
import TestSupport
import Testing

/// The verification fast path: what it proves after the full path verified a file
/// of the same chain, that its answer is the full path's, and the files it must leave to the
/// full path even though they come from a signer it knows.
@Suite struct FastLicenseVerifierTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.shared() }

    static func document(id: String = "L-1", issued: String = "2026-01-01T00:00:00Z") -> String {
        DeviceTree.document(licenseId: id, units: ["00E0C51C5087"], issued: issued)
    }

    func verifier(crl: Bool = true) throws -> CMSLicenseVerifier {
        try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: crl ? pki.crlPath : nil)
    }

    /// The full path alone, without any cache: the reference answer.
    func reference() throws -> CMSLicenseVerifier {
        try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: pki.crlPath, fastPath: false, cachesChains: false)
    }

    // MARK: What it proves

    @Test(arguments: [(TestPKI.Signer.p256, TestPKI.Format.pem, "sha256"), (.p256, .der, "sha512"), (.p384, .pem, "sha384"),
                      (.rsaViaIntermediate, .pem, "sha256"), (.rsaViaIntermediate, .der, "sha384"),
                      (.viaRolledOverIntermediate, .der, "sha256")])
    func provesOtherLicensesOfAChainTheFullPathVerified(signer: TestPKI.Signer, format: TestPKI.Format, digest: String) throws {
        let verifier = try verifier()
        let fastPath = try #require(verifier.fastPath)
        let first = Array(try pki.sign(document: Self.document(id: "L-1"), signer: signer, format: format, digest: digest))
        let second = Array(try pki.sign(document: Self.document(id: "L-2"), signer: signer, format: format, digest: digest))
        #expect(fastPath.check(first)?.proof == nil, "nothing is proven before the full path verified a file")
        expectVerified(verifier.check(first))
        #expect(verifier.knownChains == 1)
        let proof = try #require(fastPath.check(second)?.proof)
        #expect(proof.document.licenseId == "L-2")
        #expect(try reference().check(second).proof == proof, "the fast path's answer is the full path's")
        #expect(verifier.check(second).proof == proof)
    }

    /// The 1000-license case: one full check, then the fast path for every other license.
    @Test func oneSignerTeachesItOnce() throws {
        let verifier = try verifier()
        let licenses = try (1...5).map { Array(try pki.sign(document: Self.document(id: "L-\($0)"), signer: .p256)) }
        for license in licenses { expectVerified(verifier.check(license)) }
        #expect(verifier.knownChains == 1)
        #expect(licenses.allSatisfy { verifier.fastPath?.check($0)?.proof != nil })
    }

    // MARK: It reads only what the full path recorded

    /// The fast path has no memory of its own: with the full path's records switched off it
    /// proves nothing, however many files of one chain the full path verified.
    @Test func provesNothingTheFullPathDidNotRecord() throws {
        let verifier = try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: pki.crlPath,
                                              fastPath: true, cachesChains: false)
        let fastPath = try #require(verifier.fastPath)
        let licenses = try (1...3).map { Array(try pki.sign(document: Self.document(id: "L-\($0)"), signer: .p256)) }
        for license in licenses { expectVerified(verifier.check(license)) }
        #expect(verifier.knownChains == 0)
        #expect(licenses.allSatisfy { fastPath.check($0) == nil })
    }

    /// A record's window is the chain's validity, `notAfter` included (RFC 5280): a license of
    /// the recorded chain issued at its last second is proven, one issued a second later or
    /// before it began is not, and proving or failing to prove records nothing.
    @Test func provesOnlyInsideTheRecordedWindow() throws {
        let verifier = try verifier()
        let fastPath = try #require(verifier.fastPath)
        func license(_ id: String, issued: String) throws -> [UInt8] {
            Array(try pki.sign(document: Self.document(id: id, issued: issued), signer: .expired))
        }
        expectVerified(verifier.check(try license("L-1", issued: "2022-06-01T00:00:00Z")))
        #expect(verifier.knownChains == 1)
        let first = try license("L-first", issued: "2020-06-01T00:00:00Z")
        let last = try license("L-last", issued: "2023-01-01T00:00:00Z")
        let after = try license("L-after", issued: "2023-01-01T00:00:01Z")
        let before = try license("L-before", issued: "2020-05-31T23:59:59Z")
        #expect(fastPath.check(first)?.proof?.document.licenseId == "L-first")
        let proof = try #require(fastPath.check(last)?.proof)
        #expect(proof.document.licenseId == "L-last")
        #expect(try reference().check(last).proof == proof, "the fast path's answer is the full path's")
        #expect(fastPath.check(after) == nil)
        #expect(fastPath.check(before) == nil)
        #expect(verifier.knownChains == 1, "the fast path recorded nothing")
        expectRefused(verifier.check(after), .untrusted, mentioning: "expired")
        expectRefused(verifier.check(before), .untrusted, mentioning: "not yet valid")
        #expect(verifier.knownChains == 1, "refusals are never recorded")
    }

    // MARK: What it leaves to the full path

    /// A validly signed file over 64 KiB is `malformed` on the full path: never proven.
    @Test func oversizeLicenseOfAKnownSignerIsNotProven() throws {
        let verifier = try verifier()
        expectVerified(verifier.check(Array(try pki.sign(document: Self.document(), signer: .p256, format: .der))))
        let padded = Self.document(id: "L-big").dropLast() + String(repeating: " ", count: 70_000) + "}"
        let big = Array(try pki.sign(document: String(padded), signer: .p256, format: .der))
        #expect(big.count > LicenseLimits.maximumFileSize)
        #expect(verifier.fastPath?.check(big)?.proof == nil)
        expectRefused(verifier.check(big), .malformed, mentioning: "larger than 64 KiB")
    }

    /// The chain was trusted for the signer's validity window only: a license of the same
    /// chain issued after its certificate ended is refused by the full path, with its reason.
    @Test func licenseIssuedOutsideTheLearnedWindowIsNotProven() throws {
        let verifier = try verifier()
        expectVerified(verifier.check(Array(try pki.sign(document: Self.document(issued: "2022-06-01T00:00:00Z"), signer: .expired))))
        let late = Array(try pki.sign(document: Self.document(id: "L-late", issued: "2024-06-01T00:00:00Z"), signer: .expired))
        #expect(verifier.fastPath?.check(late)?.proof == nil)
        expectRefused(verifier.check(late), .untrusted, mentioning: "expired")
    }

    /// A revoked signer never passes the full check, so the fast path never learns it.
    @Test func revokedSignerIsNeverLearned() throws {
        let verifier = try verifier()
        let revoked = Array(try pki.sign(document: Self.document(), signer: .revoked))
        expectRefused(verifier.check(revoked), .revoked, mentioning: "revoked")
        #expect(verifier.knownChains == 0)
        #expect(verifier.fastPath?.check(revoked)?.proof == nil)
    }

    /// The same signer without its intermediate is another chain (the full path refuses it).
    @Test func sameSignerWithOtherCarriedCertificatesIsNotProven() throws {
        let verifier = try verifier()
        expectVerified(verifier.check(Array(try pki.sign(document: Self.document(), signer: .rsaViaIntermediate))))
        let bare = Array(try pki.sign(document: Self.document(id: "L-2"), signer: .rsaViaIntermediate, carryIntermediate: false))
        #expect(verifier.fastPath?.check(bare)?.proof == nil)
        expectRefused(verifier.check(bare), .untrusted, mentioning: "keyring anchor")
    }

    /// Valid files of a known signer that are not the plain shape: the full path verifies them.
    @Test(arguments: [
        (["-noattr"], "no signed attributes"),
        (["-keyopt", "rsa_padding_mode:pss"], "RSA-PSS"),
        (["-nosmimecap", "-md", "sha224"], "SHA-224"),
    ])
    func validFilesOutsideThePlainShapeTakeTheFullPath(options: [String], what: String) throws {
        let verifier = try verifier()
        expectVerified(verifier.check(Array(try pki.sign(document: Self.document(), signer: .rsaViaIntermediate))))
        let plain = try openssl([], signer: .rsaViaIntermediate, document: Self.document(id: "L-plain"))
        #expect(verifier.fastPath?.check(plain)?.proof != nil, "the same command without \(what) makes a provable file")
        let other = try openssl(options, signer: .rsaViaIntermediate, document: Self.document(id: "L-other"))
        #expect(verifier.fastPath?.check(other)?.proof == nil, "\(what)")
        expectVerified(verifier.check(other), "\(what)")
    }

    /// `-nosmimecap`: the minimal attributes alone are the plain shape too.
    @Test func licenseWithoutCapabilitiesIsProven() throws {
        let verifier = try verifier()
        expectVerified(verifier.check(Array(try pki.sign(document: Self.document(), signer: .p256))))
        let bare = try openssl(["-nosmimecap"], signer: .p256, document: Self.document(id: "L-2"))
        #expect(verifier.fastPath?.check(bare)?.proof?.document.licenseId == "L-2")
    }

    @Test func pemWithCarriageReturnsTakesTheFullPath() throws {
        let verifier = try verifier()
        let pem = Array(try pki.sign(document: Self.document(), signer: .p256, format: .pem))
        expectVerified(verifier.check(pem))
        let crlf = Array(String(decoding: pem, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        #expect(verifier.fastPath?.check(crlf)?.proof == nil)
        expectVerified(verifier.check(crlf))
    }

    /// A changed byte of the content of a known signer's license: bad-signature, with the
    /// full path's wording.
    @Test func tamperedLicenseOfAKnownSignerKeepsTheFullPathsVerdict() throws {
        let verifier = try verifier()
        var bytes = Array(try pki.sign(document: Self.document(), signer: .p256, format: .der))
        expectVerified(verifier.check(bytes))
        let start = try #require(bytes.indices.first { bytes[$0...].starts(with: Array("L-1".utf8)) })
        bytes[start + 2] = UInt8(ascii: "2")
        #expect(verifier.fastPath?.check(bytes)?.proof == nil)
        expectRefused(verifier.check(bytes), .badSignature, mentioning: "content verify error")
    }

    @Test func switchedOffItProvesNothing() throws {
        let verifier = try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: nil, fastPath: false, cachesChains: true)
        #expect(verifier.fastPath == nil)
        expectVerified(verifier.check(Array(try pki.sign(document: Self.document(), signer: .p256))))
    }

    // MARK: Helpers

    /// `openssl cms -sign -nodetach -binary` of `document` with `signer` (and its intermediate) and `options`, DER.
    func openssl(_ options: [String], signer: TestPKI.Signer, document: String) throws -> [UInt8] {
        let name = UUID().uuidString
        let input = try pki.directory.write("fast-\(name).json", document)
        let output = pki.directory.appending("fast-\(name).der")
        var arguments = ["openssl", "cms", "-sign", "-nodetach", "-binary", "-in", input, "-signer", pki.certificatePath(signer),
                         "-inkey", pki.keyPath(signer), "-outform", "DER", "-out", output]
        if signer == .rsaViaIntermediate { arguments += ["-certfile", pki.intermediatePath] }
        try ProcessRunner.checked(arguments + options)
        return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
    }
}
