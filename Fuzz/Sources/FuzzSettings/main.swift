import FuzzDriver
import LicensePolicy

/// The device settings (`/wfs/group.ini`): any bytes give settings and problems, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSettings(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let settings = Settings(parsing: Array(UnsafeBufferPointer(start: data, count: size)))
    _ = settings.empNotificationsEnabled
    _ = settings.problems.map(\.description)
    for key in settings.values.keys { _ = settings.bool(key) }
    return 0
}

runFuzzer(fuzzSettings)
