/// Every failure and refusal the agent reports, as a value that explains itself.
///
/// An error carries what went wrong (`code`, `summary`), where (`path`), the underlying
/// cause as the system reported it (errno, the drained OpenSSL error queue, libcurl's or the
/// server's answer) and what the person at the device should do (`remedy`). `sentence` and
/// `exitStatus` are the one place where it becomes the stderr line and the exit code.
public struct AgentError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// Bad arguments or options; exit 64.
        case usage
        /// A refusal that is an answer, not a fault: unknown feature, frozen configuration,
        /// a removal profile that may not run, every import refused; exit 2.
        case refused
        /// A file or directory could not be read or written.
        case io
        /// Another writer holds the lock for longer than the agent waits.
        case lockBusy = "lock-busy"
        /// Mounting, remounting or unmounting failed.
        case mount
        /// No interface or UD Pocket gave a unit ID.
        case noUnitID = "no-unit-id"
        /// The keyring or the CRL file is missing or unreadable.
        case keyring
        /// OpenSSL failed in a way that is not a verdict about a license.
        case crypto
        /// Device enumeration through libudev failed.
        case devices
        /// A download or upload failed (libcurl, or the server's status code).
        case network
        /// A settings or state file is not what it must be.
        case invalidData = "invalid-data"
    }

    /// Where a failure came from, as reported by the layer below.
    public enum Cause: Sendable, Equatable, CustomStringConvertible {
        /// A system call failed: errno and strerror's text.
        case errno(Int32, String)
        /// OpenSSL failed: its error queue, oldest first.
        case openSSL([String])
        /// libcurl failed: CURLcode and its text.
        case curl(Int, String)
        /// The server answered with this HTTP status.
        case httpStatus(Int)
        /// Anything else, already in words.
        case text(String)

        public var description: String {
            switch self {
            case .errno(let number, let text): return "\(text) (errno \(number))"
            case .openSSL(let queue): return queue.isEmpty ? "OpenSSL gave no reason" : queue.joined(separator: "; ")
            case .curl(let code, let text): return "\(text) (curl error \(code))"
            case .httpStatus(let status): return "the server answered HTTP \(status)"
            case .text(let text): return text
            }
        }
    }

    public var code: Code
    public var summary: String
    public var path: String?
    public var cause: Cause?
    public var remedy: String?

    public init(_ code: Code, _ summary: String, path: String? = nil, cause: Cause? = nil, remedy: String? = nil) {
        self.code = code
        self.summary = summary
        self.path = path
        self.cause = cause
        self.remedy = remedy
    }

    /// The plain sentence for stderr: what happened, where, why, and what to do.
    public var sentence: String {
        var text = summary
        if let path { text += " (\(path))" }
        if let cause { text += ": \(cause)" }
        if !text.hasSuffix(".") { text += "." }
        if let remedy { text += " " + remedy + (remedy.hasSuffix(".") ? "" : ".") }
        return text
    }

    public var description: String { sentence }

    /// The exit code of the contract (CLI.md): 64 usage, 2 refusal, 1 every other error.
    public var exitStatus: Int32 {
        switch code {
        case .usage: return 64
        case .refused: return 2
        default: return 1
        }
    }
}
