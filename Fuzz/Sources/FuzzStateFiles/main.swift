import FoundationEssentials
import FuzzDriver
import LicensePolicy

/// The agent's state files in `/wfs/license-agent/` (state.json, frozen/marker.json,
/// last-good/record.json, deploy.json) and `/run/license-agent/reboot-required`: any
/// bytes decode or fail, and what decoded reads without a trap (the timestamps in them once
/// overflowed on a long fraction).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStateFiles(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    if let state = try? JSONDecoder().decode(AgentState.self, from: bytes) {
        _ = (state.mark?.description, state.rememberedUnit?.value)
    }
    if let marker = try? JSONDecoder().decode(FreezeMarker.self, from: bytes) {
        _ = (marker.sinceDay, marker.pasExpiredDay, marker.source)
    }
    if let record = try? JSONDecoder().decode(LastGoodRecord.self, from: bytes) {
        _ = record.recordedTime?.description
    }
    if let record = try? JSONDecoder().decode(DeliveryRecord.self, from: bytes) {
        // Whatever a server once sent, nothing replayed as a header may carry a control character.
        for header in record.conditionalHeaders(forLinkSHA256: record.linkSHA256) {
            precondition(!header.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "header \(header)")
        }
    }
    if let marker = try? JSONDecoder().decode(RebootMarker.self, from: bytes) {
        _ = marker.warning.message
    }
    if let text = String(validating: bytes, as: UTF8.self) {
        _ = Timestamp(rfc3339: text)?.description
        _ = CalendarDay(parsing: text)?.description
    }
    return 0
}

runFuzzer(fuzzStateFiles)
