import FoundationEssentials
import FuzzDriver
@testable import LicensePolicy

/// The encapsulated license document (LICENSE-FORMAT.md "Document"): any bytes give a
/// document or a rejection, never a trap; and the plain JSON reader, the parser's fast path,
/// never reads a text differently from `JSONDecoder`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLicenseDocument(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if String(validating: bytes, as: UTF8.self) != nil, let fields = PlainJSONReader.object(bytes) {
        let decoded = try? JSONDecoder().decode([String: JSONValue].self, from: Data(bytes))
        guard let decoded, JSONValue.object(fields).isIdentical(to: .object(decoded)) else {
            fatalError("the plain JSON reader and JSONDecoder differ on \(String(decoding: bytes, as: UTF8.self).debugDescription)")
        }
    }
    if let document = try? LicenseDocument.parse(bytes) {
        // What the rules then do with a document must not trap either.
        _ = ProductStatus.summarize([document], on: document.starts)
        _ = document.issued.description + document.starts.description + document.expires.description
    }
    return 0
}

runFuzzer(fuzzLicenseDocument)
