import ArgumentParser
import FoundationEssentials
import LicensePlatform
import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a command's body and turns its outcome into the contract's exit code (CLI.md):
/// the body returns the status for an answer (0, 2, …); an `AgentError` becomes its one
/// plain sentence on stderr and its `exitStatus` — and, with `json`, also the error object
/// `{"schemaVersion":1,"error":{"code","message","path"}}` on stdout, so that a script
/// reading stdout always gets one JSON object. Any other error is a fault, exit 1.
///
/// Every command's `run()`, in `license-agent` and `license-issuer`, is
/// `try runReporting { … }`, so errors become output and exit codes in one place.
/// In the journal, an error is logged as an error and a refusal (exit 2) as a warning.
public func runReporting(json: Bool = false, _ body: () throws -> Int32) throws {
    let status: Int32
    do {
        status = try body()
    } catch let error as AgentError {
        report(error, json: json)
        status = error.exitStatus
    } catch let error as ExitCode {
        throw error
    } catch {
        report(AgentError(.io, "Unexpected failure", cause: .text("\(error)")), json: json)
        status = 1
    }
    // The result is out: a termination signal held during a change ends the process now.
    TerminationSignals.honourHeld()
    if status != 0 { throw ExitCode(status) }
}

/// The error's sentence on stderr and, with `json`, its object on stdout.
public func report(_ error: AgentError, json: Bool) {
    let error = explainingPrivileges(error)
    writeToStandardError(error.sentence, priority: error.exitStatus == 2 ? .warning : .error)
    if json { Console.write(ErrorDocument(error).json) }
}

/// A permission failure of a process that is not root is, almost always, the command run
/// without root: say so (code `needs-root`) instead of leaving "Permission denied" alone.
func explainingPrivileges(_ error: AgentError) -> AgentError {
    guard getuid() != 0, case .errno(let number, _)? = error.cause, number == EACCES || number == EPERM else { return error }
    return AgentError(.needsRoot, error.summary, path: error.path, cause: error.cause,
                      remedy: "license-agent changes protected files and mounts: run it as root (for example with sudo)")
}

/// Writes `line` and a newline to stderr, control characters escaped, ignoring failures
/// (there is nowhere left to report them). When stderr is the journal, each line carries
/// `priority` (see `JournalStream`).
public func writeToStandardError(_ line: String, priority: JournalPriority = .error) {
    let text = JournalStream.standardError.formatted(DisplayText.escaping(line), priority: priority)
    _ = try? FileDescriptor.standardError.writeAll(Array((text + "\n").utf8))
}

/// Standard output for people and scripts (CLI.md "File names, output and secrets"): control
/// characters from file names, documents or server answers are escaped (`\x1b`), so nothing
/// printed can move the cursor or forge lines on an administrator's terminal.
/// With `priority`, a line on stdout that is the journal is marked for it (`JournalStream`).
public enum Console {
    public static func write(_ text: String, priority: JournalPriority? = nil) {
        var line = DisplayText.escaping(text)
        if let priority { line = JournalStream.standardOutput.formatted(line, priority: priority) }
        _ = try? FileDescriptor.standardOutput.writeAll(Array((line + "\n").utf8))
    }
}

/// `{"schemaVersion":1,"error":{"code":…,"message":…,"path":…}}`.
struct ErrorDocument: Encodable {
    struct Body: Encodable {
        let code: String
        let message: String
        let path: String?

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
            try container.encode(path, forKey: .path)
        }

        enum CodingKeys: String, CodingKey { case code, message, path }
    }

    let schemaVersion = 1
    let error: Body

    init(_ error: AgentError) {
        self.error = Body(code: error.code.rawValue, message: error.sentence, path: error.path)
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{\"schemaVersion\":1}"
    }
}

/// The syslog priorities a line can carry in the journal (sd-daemon(3), syslog(3)).
public enum JournalPriority: Int, Sendable {
    case error = 3
    case warning = 4
    case notice = 5
    case info = 6
    case debug = 7
}

/// Whether a standard stream is connected to the journal, and how lines are marked there.
///
/// systemd sets `JOURNAL_STREAM` to `DEVICE:INODE` of the stream socket it connected a
/// service's stdout/stderr to (systemd.exec(5), "Environment variables in spawned
/// processes"); a stream whose `fstat` matches is the journal. There, a line that begins with
/// `<N>` is logged with syslog priority N (sd-daemon(3)), so that
/// `journalctl -p warning -u license-agent-check` shows the warnings and errors only. On a
/// terminal, a pipe or a file, or when the variable names another stream (a child that
/// inherited it), lines stay as they are.
public struct JournalStream: Sendable {
    public static let standardOutput = JournalStream(FileDescriptor.standardOutput)
    public static let standardError = JournalStream(FileDescriptor.standardError)

    /// True when this stream is the journal's.
    public let isJournal: Bool

    public init(_ descriptor: FileDescriptor, journalStream: String? = nil) {
        let named = journalStream ?? getenv("JOURNAL_STREAM").map { String(cString: $0) }
        guard let named, let status = try? descriptor.stat() else {
            isJournal = false
            return
        }
        isJournal = named == "\(status.deviceID.rawValue):\(status.inode.rawValue)"
    }

    /// `text` with every line prefixed `<N>` when the stream is the journal; else unchanged.
    public func formatted(_ text: String, priority: JournalPriority) -> String {
        guard isJournal else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "<\(priority.rawValue)>\($0)" }
            .joined(separator: "\n")
    }
}
