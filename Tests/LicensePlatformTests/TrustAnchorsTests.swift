import Foundation
import LicensePlatform
import LicensePolicy
import TestSupport
import Testing

/// Loading the keyring and the CRL file: what is an error (`keyring-missing`,
/// `keyring-unusable`, `crl-unusable`) and what merely turns revocation checking off.
@Suite struct TrustAnchorsTests {
    @Test func missingKeyringIsAKeyringError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.appending("keyring.pem")
        #expect(throws: AgentError.self) { try CMSLicenseVerifier(keyringPath: path, crlPath: nil) }
        do {
            _ = try CMSLicenseVerifier(keyringPath: path, crlPath: nil)
        } catch {
            #expect(error.code == .keyringMissing)
            #expect(error.path == path)
            #expect(error.cause == .errno(2, "No such file or directory"))
        }
    }

    @Test(arguments: ["", "not a certificate\n", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"])
    func keyringWithoutCertificatesIsAKeyringError(contents: String) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("keyring.pem", contents)
        do {
            _ = try CMSLicenseVerifier(keyringPath: path, crlPath: nil)
            Issue.record("a keyring without a certificate must be refused")
        } catch {
            #expect(error.code == .keyringUnusable)
            #expect(error.path == path)
        }
    }

    @Test func keyringWithSeveralAnchorsTrustsEach() throws {
        let pki = try TestPKI.shared()
        let directory = try TemporaryDirectory()
        let both = try String(contentsOfFile: pki.outsiderRootPath, encoding: .utf8) + pki.keyringPEM
        let path = try directory.write("keyring.pem", both)
        let verifier = try CMSLicenseVerifier(keyringPath: path, crlPath: nil)
        for signer in [TestPKI.Signer.outsider, .p256] {
            let signed = try pki.sign(document: DeviceTree.document(), signer: signer)
            expectVerified(verifier.check(Array(signed)), "\(signer) must be trusted by a keyring holding its root")
        }
    }

    @Test(arguments: ["", "garbage\n", "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"])
    func unparseableCRLFileIsAKeyringError(contents: String) throws {
        let pki = try TestPKI.shared()
        let directory = try TemporaryDirectory()
        let path = try directory.write("crl.pem", contents)
        do {
            _ = try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: path)
            Issue.record("an unreadable CRL file must be refused")
        } catch {
            #expect(error.code == .crlUnusable)
            #expect(error.path == path)
        }
    }

    /// `openssl x509 -trustout` blocks are certificates too: a keyring of only such blocks
    /// is a keyring, not "no PEM certificate".
    @Test func keyringOfTrustedCertificateBlocksOnlyIsUsable() throws {
        let pki = try TestPKI.shared()
        let directory = try TemporaryDirectory()
        let path = directory.appending("keyring.pem")
        try ProcessRunner.checked(["openssl", "x509", "-in", pki.keyringPath, "-trustout", "-addtrust", "codeSigning", "-out", path])
        let verifier = try CMSLicenseVerifier(keyringPath: path, crlPath: nil)
        expectVerified(verifier.check(Array(try pki.sign(document: DeviceTree.document(), signer: .p256))))
    }

    @Test func crlFileTurnsRevocationCheckingOn() throws {
        let pki = try TestPKI.shared()
        #expect(try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: pki.crlPath).checksRevocation)
        #expect(try !CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: nil).checksRevocation)
    }
}
