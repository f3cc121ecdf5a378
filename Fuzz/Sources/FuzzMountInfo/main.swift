import FuzzDriver
import LicensePolicy

/// `/proc/self/mountinfo` (proc(5)): any text gives a table or an error naming the line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMountInfo(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let table = try? MountTable(parsing: text) {
        for entry in table.entries { _ = (table.entry(forMountPoint: entry.mountPoint), entry.isReadOnly) }
    }
    return 0
}

runFuzzer(fuzzMountInfo)
