import LicensePolicy

/// Collects a response body up to a limit, and the final response's headers; the context of
/// the write and header callbacks.
final class ResponseSink {
    let limit: Int
    var bytes: [UInt8] = []
    var exceeded = false
    /// Header fields of the last response seen (a redirect's are replaced by the next one's).
    var headers: [String: String] = [:]

    init(limit: Int) { self.limit = limit }

    /// One header line as libcurl delivers it (`Name: value\r\n`, or a status line that
    /// starts a new response).
    func addHeaderLine(_ line: String) {
        if line.hasPrefix("HTTP/") {
            headers = [:]
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingASCIIWhitespace().lowercased()
        guard !name.isEmpty else { return }
        headers[name] = line[line.index(after: colon)...].trimmingASCIIWhitespace()
    }
}

/// libcurl's write callback: appends to the `ResponseSink` passed as `CURLOPT_WRITEDATA`.
/// Returning less than it was given makes libcurl abort the transfer (`CURLE_WRITE_ERROR`),
/// which is how a body over the limit is cut off before it is stored.
func curlWriteCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                               _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard sink.bytes.count + length <= sink.limit else {
        sink.exceeded = true
        return 0
    }
    if let data, length > 0 {
        data.withMemoryRebound(to: UInt8.self, capacity: length) { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
    }
    return length
}

/// libcurl's header callback: hands each header line to the `ResponseSink` passed as
/// `CURLOPT_HEADERDATA`. Lines longer than 8 KiB are ignored (no header the agent reads is).
func curlHeaderCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                                _ context: UnsafeMutableRawPointer?) -> Int {
    let length = size * count
    guard let context else { return 0 }
    guard let data, length > 0, length <= 8192 else { return length }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let line = data.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    sink.addHeaderLine(line)
    return length
}
