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
        /// The keyring does not exist: a device image shipped without trust anchors.
        case keyringMissing = "keyring-missing"
        /// The keyring exists but holds no usable certificate, or cannot be read.
        case keyringUnusable = "keyring-unusable"
        /// The CRL file exists but cannot be read or holds no usable CRL.
        case crlUnusable = "crl-unusable"
        /// The license partition (`/license`) does not exist.
        case licensePartitionMissing = "license-partition-missing"
        /// OpenSSL failed in a way that is not a verdict about a license.
        case crypto
        /// Device enumeration through libudev failed.
        case devices
        /// A download or upload failed (libcurl, or the server's status code).
        case network
        /// A settings or state file is not what it must be.
        case invalidData = "invalid-data"
        /// The command must run as root (it changes mounts, devices or protected files).
        case needsRoot = "needs-root"
        /// A file or device named on the command line does not exist.
        case notFound = "not-found"
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

    /// One kind of failure, named by the layer that reports it, so that a layer above can
    /// tell it apart and add the remedy that only it knows (the platform reports, the agent
    /// advises). A struct rather than an enum: each layer defines its own.
    public struct Failure: RawRepresentable, Hashable, Sendable {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }
    }

    public let code: Code
    public let summary: String
    public let path: String?
    public let cause: Cause?
    public let remedy: String?
    /// Which failure this is, when the layer that made it leaves the remedy to its caller;
    /// never shown.
    public let failure: Failure?

    public init(_ code: Code, _ summary: String, path: String? = nil, cause: Cause? = nil, remedy: String? = nil,
                failure: Failure? = nil) {
        self.code = code
        self.summary = summary
        self.path = path
        self.cause = cause
        self.remedy = remedy
        self.failure = failure
    }

    /// The plain sentence for stderr: what happened, where, why, and what to do — with any
    /// `user:password@` in a URL shown as `***`.
    public var sentence: String {
        var text = summary
        if let path { text += " (\(path))" }
        if let cause { text += ": \(cause)" }
        if !text.hasSuffix(".") { text += "." }
        if let remedy { text += " " + remedy + (remedy.hasSuffix(".") ? "" : ".") }
        return Credentials.redacted(text)
    }

    public var description: String { sentence }

    /// The same failure under another code and summary, keeping where and why: for a layer
    /// that knows better what a lower layer's failure means ("Cannot read the keyring").
    public func reported(as code: Code, _ summary: String, remedy: String? = nil) -> AgentError {
        AgentError(code, summary, path: path, cause: cause, remedy: remedy ?? self.remedy, failure: failure)
    }

    /// Errors are equal when they report the same failure: same code and same place. The
    /// wording of the summary or the cause may change; what a caller matches on does not.
    public static func == (a: AgentError, b: AgentError) -> Bool { a.code == b.code && a.path == b.path }

    /// The exit code of the contract (CLI.md): 64 usage, 2 refusal, 1 every other error.
    public var exitStatus: Int32 {
        switch code {
        case .usage: return 64
        case .refused: return 2
        default: return 1
        }
    }
}
