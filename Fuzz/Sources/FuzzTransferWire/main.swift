import FuzzDriver
import LicensePolicy

/// The network helper's wire (`TransferWire`): any bytes, read as a request and as an answer,
/// are refused or read as a message that is itself written and read back exactly — or the
/// target aborts. The root process reads the helper's answer this way, so nothing a
/// compromised helper writes may crash it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTransferWire(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let request = TransferWire.decodeRequest(bytes) {
        guard TransferWire.decodeRequest(TransferWire.encode(request)) == request else {
            fatalError("a request is not read back as written: \(bytes)")
        }
    }
    if let answer = TransferWire.decodeAnswer(bytes, limit: 65_536) {
        let written = TransferWire.encode(answer)
        guard let again = TransferWire.decodeAnswer(written, limit: 65_536), TransferWire.encode(again) == written else {
            fatalError("an answer is not read back as written: \(bytes)")
        }
        if case .success(let response) = answer {
            guard response.body.count <= 65_536 else { fatalError("a body over the limit was accepted") }
            _ = response.firstBodyLine
        }
        if case .failure(let error) = answer { _ = error.sentence }
    }
    return 0
}

runFuzzer(fuzzTransferWire)
