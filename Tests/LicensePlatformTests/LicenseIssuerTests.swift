import Foundation
import LicensePlatform
import LicensePolicy
import TestSupport
import Testing

/// The vendor-side `license-issuer` program: its PKI and its signatures must be accepted by
/// the `openssl` program (`cms -verify`, as LICENSE-FORMAT.md states it) and by the agent's
/// verifier, for every key type it offers.
@Suite struct LicenseIssuerTests {
    /// Issued yesterday: inside the issuer PKI's validity (from a year ago, for ten years).
    static let document = DeviceTree.document(licenseId: "ISSUED-1", issued: Self.yesterday)

    static var yesterday: String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date().addingTimeInterval(-86_400))
    }

    var issuer: String { ProcessRunner.buildDirectory + "/license-issuer" }

    @Test(arguments: ["p256", "p384", "rsa2048"])
    func pkiAndSignatureAreAcceptedByOpenSSLAndTheVerifier(algorithm: String) throws {
        let directory = try TemporaryDirectory()
        let pki = directory.appending("pki")
        try ProcessRunner.checked([issuer, "pki", pki, "--algorithm", algorithm])
        let documentPath = try directory.write("doc.json", Self.document)
        for (der, form) in [(false, "PEM"), (true, "DER")] {
            let output = directory.appending("license-\(form).lic")
            try ProcessRunner.checked([issuer, "sign", documentPath, "--signer", pki + "/signer.crt",
                                       "--key", pki + "/signer.key", "-o", output] + (der ? ["--der"] : []))
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: output)))
            if !der { #expect(String(decoding: bytes.prefix(19), as: UTF8.self) == "-----BEGIN CMS-----") }

            let verified = try ProcessRunner.checked(["openssl", "cms", "-verify", "-binary", "-inform", form,
                                                      "-purpose", "any", "-CAfile", pki + "/keyring.pem", "-in", output])
            #expect(verified.stdout == Self.document)

            let result = try CMSLicenseVerifier(keyringPath: pki + "/keyring.pem", crlPath: nil).check(bytes)
            guard case .verified(let document, let signer) = result else {
                Issue.record("\(algorithm) \(form): expected verified, got \(result)")
                continue
            }
            #expect(document.licenseId == "ISSUED-1")
            #expect(signer.subject.contains("CN=License Signer"))
        }
    }

    @Test func pkiFilesHaveTheContractsShape() throws {
        let directory = try TemporaryDirectory()
        let pki = directory.appending("pki")
        try ProcessRunner.checked([issuer, "pki", pki])
        let keyMode = try FileManager.default.attributesOfItem(atPath: pki + "/signer.key")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        #expect(try String(contentsOfFile: pki + "/keyring.pem", encoding: .utf8)
            == String(contentsOfFile: pki + "/root.crt", encoding: .utf8))
        let root = try ProcessRunner.checked(["openssl", "x509", "-noout", "-ext", "basicConstraints,keyUsage", "-in", pki + "/root.crt"]).stdout
        #expect(root.contains("CA:TRUE"))
        #expect(root.contains("Certificate Sign, CRL Sign"))
        let signer = try ProcessRunner.checked(["openssl", "x509", "-noout", "-ext", "keyUsage,extendedKeyUsage", "-in", pki + "/signer.crt"]).stdout
        #expect(signer.contains("Digital Signature"))
        #expect(signer.contains("Code Signing"))
        try ProcessRunner.checked(["openssl", "verify", "-CAfile", pki + "/root.crt", pki + "/signer.crt"])
    }

    @Test func signCarriesTheCertfileIntermediates() throws {
        let testPKI = try TestPKI.shared()
        let directory = try TemporaryDirectory()
        let documentPath = try directory.write("doc.json", Self.document)
        let output = directory.appending("via-intermediate.lic")
        try ProcessRunner.checked([issuer, "sign", documentPath,
                                   "--signer", testPKI.certificatePath(.rsaViaIntermediate),
                                   "--key", testPKI.keyPath(.rsaViaIntermediate),
                                   "--certfile", testPKI.intermediatePath, "-o", output])
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: output)))
        expectVerified(try CMSLicenseVerifier(keyringPath: testPKI.keyringPath, crlPath: testPKI.crlPath).check(bytes))
    }

    @Test func missingKeyFileIsOneSentenceAndExitOne() throws {
        let testPKI = try TestPKI.shared()
        let directory = try TemporaryDirectory()
        let documentPath = try directory.write("doc.json", Self.document)
        let missing = directory.appending("absent.key")
        let result = try ProcessRunner.run([issuer, "sign", documentPath, "--signer", testPKI.certificatePath(.p256),
                                            "--key", missing, "-o", directory.appending("x.lic")])
        #expect(result.status == 1)
        #expect(result.stderr.contains(missing))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: directory.appending("x.lic")))
    }

    @Test func keyOfAnotherCertificateIsRefused() throws {
        let testPKI = try TestPKI.shared()
        let directory = try TemporaryDirectory()
        let documentPath = try directory.write("doc.json", Self.document)
        let result = try ProcessRunner.run([issuer, "sign", documentPath, "--signer", testPKI.certificatePath(.p256),
                                            "--key", testPKI.keyPath(.p384), "-o", directory.appending("x.lic")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot sign together"))
    }

    @Test(arguments: [["sign"], ["pki", "/tmp/x", "--algorithm", "dsa512"], ["frobnicate"]])
    func usageErrorsExit64(arguments: [String]) throws {
        #expect(try ProcessRunner.run([issuer] + arguments).status == 64)
    }
}
