import FuzzDriver
import LicensePolicy

/// The device settings (`/wfs/group.ini`): any bytes give settings and problems, never a trap;
/// the delivery keys read from them, and the freeze's comparison and restore of them, neither.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSettings(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let settings = Settings(parsing: Array(UnsafeBufferPointer(start: data, count: size)))
    _ = settings.empNotificationsEnabled
    _ = settings.problems.map(\.description)
    for key in settings.values.keys { _ = settings.bool(key) }
    // The input as the frozen snapshot and, split in two, as the current file.
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let half = Array(bytes[(bytes.count / 2)...])
    _ = DeliverySettings(settings)
    _ = DeliveryKeys.sameConfiguration(bytes, half)
    _ = DeliveryKeys.restoring(bytes, keepingDeliveryKeysOf: half)
    return 0
}

runFuzzer(fuzzSettings)
