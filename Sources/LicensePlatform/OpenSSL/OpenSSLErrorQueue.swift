internal import COpenSSL
import LicensePolicy

/// libcrypto's thread-local error queue, turned into words.
///
/// Every failing libcrypto call leaves one or more entries behind; they are the cause of an
/// `AgentError` (`.openSSL`) or are cleared when the failure is an expected answer (a
/// license that does not parse is a verdict, not a fault).
enum OpenSSLErrorQueue {
    /// Removes every entry, oldest first, as `error:…:library:function:reason (data)` lines.
    static func drain() -> [String] {
        var lines: [String] = []
        while true {
            var data: UnsafePointer<CChar>?
            var flags: Int32 = 0
            let code = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            var line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if let data, flags & ERR_TXT_STRING != 0 {
                let text = String(cString: data)
                if !text.isEmpty { line += " (\(text))" }
            }
            lines.append(line)
        }
        return lines
    }

    /// Forgets whatever is queued: used after a failure that is an answer, not a fault.
    static func clear() { ERR_clear_error() }

    /// The reason text of the newest entry (without removing anything), e.g. "no start line".
    static var newestReason: String? {
        let code = ERR_peek_last_error()
        guard code != 0, let reason = ERR_reason_error_string(code) else { return nil }
        return String(cString: reason)
    }

    /// True when the newest entry is PEM's "no start line": the normal end of a PEM file.
    static var endedAtLastPEMBlock: Bool {
        let code = ERR_peek_last_error()
        return ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE
    }

    /// An `AgentError` whose cause is the drained queue.
    static func error(_ code: AgentError.Code, _ summary: String, path: String? = nil) -> AgentError {
        AgentError(code, summary, path: path, cause: .openSSL(drain()))
    }
}
