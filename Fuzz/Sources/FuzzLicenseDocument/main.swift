import FuzzDriver
import LicensePolicy

/// The encapsulated license document (LICENSE-FORMAT.md "Document"): any bytes give a
/// document or a rejection, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLicenseDocument(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let document = try? LicenseDocument.parse(bytes) {
        // What the rules then do with a document must not trap either.
        _ = ProductStatus.summarize([document], on: document.starts)
        _ = document.issued.description + document.starts.description + document.expires.description
    }
    return 0
}

runFuzzer(fuzzLicenseDocument)
