import FuzzDriver
import LicensePolicy

/// Removal profiles (PROFILES.md): any bytes give a profile or a rejection with a reason.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRemovalProfile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let profile = try? RemovalProfile.parse(bytes, fileName: "fuzz.profile") {
        _ = profile.selector.explanation + profile.selector.description
    }
    return 0
}

runFuzzer(fuzzRemovalProfile)
