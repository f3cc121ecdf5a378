@testable import LicensePlatform
import FuzzDriver
import LicensePolicy

/// The keyring and CRL readers (PEM `CERTIFICATE`, `TRUSTED CERTIFICATE`, `X509 CRL`): any
/// text gives certificates, CRLs or an error, never a trap; every accessor the chain rules
/// read works on whatever parsed.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeyring(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let certificates = try? X509Certificate.certificates(pem: bytes, code: .keyringUnusable, path: nil) {
        for certificate in certificates {
            _ = (certificate.subject, certificate.issuer, certificate.notBefore, certificate.notAfter)
            _ = (certificate.serialHex, certificate.publicKeyWeakness, certificate.weakSignatureDigest)
            _ = (certificate.hasCodeSigningUsage, certificate.keyUsageAllowsSigning, certificate.isSelfIssued)
        }
    }
    if let lists = try? X509RevocationList.revocationLists(pem: bytes, path: "fuzz") {
        _ = lists.count
    }
    return 0
}

runFuzzer(fuzzKeyring)
