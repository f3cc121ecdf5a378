import FuzzDriver
import LicensePolicy

/// `/etc/os-release` (os-release(5)): any text gives a generation or none.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOSRelease(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = OSGeneration.resolve(osRelease: text, configured: nil)
    return 0
}

runFuzzer(fuzzOSRelease)
