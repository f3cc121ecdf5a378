import FuzzDriver
import LicensePolicy

/// `/etc/os-release` (os-release(5)): any text gives a generation or none, and a full
/// version (`VERSION_ID=11.08.100`) or none; versions compare and fall in windows without a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOSRelease(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = OSGeneration.resolve(osRelease: text, configured: nil)
    if let version = OSVersion.fromOSRelease(text) {
        _ = (version.description, version.truncated(to: 2), version < OSVersion("11.06")!)
        _ = VersionWindow(from: "11.01.110", through: "11.06").contains(version)
    }
    return 0
}

runFuzzer(fuzzOSRelease)
