import FuzzDriver
import LicensePlatform
import LicensePolicy

/// `URLParts`, the root process's reading of a URL, against libcurl's own parser (`CurlURL`):
/// for any text it reads, libcurl reads it too, with the same host and file name — or the
/// target aborts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzURLParts(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard !text.utf8.contains(0), let parts = URLParts(text) else { return 0 }
    guard let curl = try? CurlURL(text) else { fatalError("URLParts reads \(text.debugDescription), libcurl refuses it") }
    guard parts.host == curl.host else {
        fatalError("host of \(text.debugDescription): \(parts.host ?? "nil") / \(curl.host ?? "nil")")
    }
    guard parts.fileName == curl.fileName else {
        fatalError("file name of \(text.debugDescription): \(parts.fileName ?? "nil") / \(curl.fileName ?? "nil")")
    }
    return 0
}

runFuzzer(fuzzURLParts)
