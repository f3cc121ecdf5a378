import Glibc
import LicensePlatform
import FuzzDriver
import LicensePolicy

/// The CMS envelope through the whole verifier, with a real keyring (`FUZZ_KEYRING`, set by
/// scripts/fuzz to Fuzz/Corpus/keyring.pem, the anchor of the seed licenses): any bytes give
/// a verdict, never a trap or a leak.
nonisolated(unsafe) let verifier: CMSLicenseVerifier = {
    guard let path = getenv("FUZZ_KEYRING").map({ String(cString: $0) }),
          let verifier = try? CMSLicenseVerifier(keyringPath: path, crlPath: getenv("FUZZ_CRL").map { String(cString: $0) })
    else { fatalError("FUZZ_KEYRING must name a usable keyring (scripts/fuzz sets it)") }
    return verifier
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCMSEnvelope(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    _ = verifier.check(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

runFuzzer(fuzzCMSEnvelope)
