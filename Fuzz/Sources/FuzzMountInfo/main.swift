import FuzzDriver
@testable import LicensePolicy

/// `/proc/self/mountinfo` (proc(5)): any bytes, decoded as `MountInfo.read` decodes them, give
/// a table or an error naming the line; and the byte parser `MountTable(parsing:)` runs gives
/// exactly what the `Character` parser it replaced (`MountTableText`, the specification)
/// gives — the same entries byte for byte, or the same error — or the target aborts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMountInfo(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let parsed = Result { () throws(AgentError) in try MountTable(parsing: text) }
    let reference = Result { () throws(AgentError) in try MountTableText.entries(parsing: text) }
    switch (parsed, reference) {
    case (.success(let table), .success(let entries)):
        guard table.entries == entries, Array(String(reflecting: table.entries).utf8) == Array(String(reflecting: entries).utf8) else {
            fatalError("the byte parser's table differs on \(text.debugDescription)")
        }
        for entry in table.entries { _ = (table.entry(forMountPoint: entry.mountPoint), entry.isReadOnly) }
    case (.failure(let error), .failure(let expected)):
        guard error == expected, Array("\(error.summary) \(error.cause.map { "\($0)" } ?? "")".utf8)
                == Array("\(expected.summary) \(expected.cause.map { "\($0)" } ?? "")".utf8) else {
            fatalError("the byte parser's error differs on \(text.debugDescription): \(error) / \(expected)")
        }
    default:
        fatalError("one parser refused what the other took: \(text.debugDescription)")
    }
    return 0
}

runFuzzer(fuzzMountInfo)
