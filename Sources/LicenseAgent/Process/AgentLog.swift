import Logging
import SystemPackage

/// The agent's diagnostic log: each step explained on stderr with `--verbose`, warnings
/// only otherwise. It never carries results (those go to stdout) nor the error sentence (that
/// is `AgentError.sentence`, printed once by the command line).
public enum AgentLog {
    /// Routes log messages to stderr: debug level with `verbose`, warnings and errors
    /// otherwise. With `journal` (stderr is the journal: `JournalStream`), each line carries
    /// its syslog priority as a `<N>` prefix (sd-daemon(3)) instead of a timestamp and level,
    /// so `journalctl -p warning` finds the warnings. Called once, by the command line,
    /// before any command runs.
    public static func configure(verbose: Bool, journal: Bool = false) {
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = journal
                ? JournalLogHandler() : StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .warning
            return handler
        }
    }
}

/// The logger every operation writes its steps to.
let log = Logger(label: "license-agent")

/// Writes each message to stderr as `<N>message`, N being the syslog priority of its level;
/// journald stores the priority and drops the prefix.
struct JournalLogHandler: LogHandler {
    var logLevel: Logger.Level = .warning
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let priority = Self.priority(event.level)
        let text = "\(event.message)".split(separator: "\n", omittingEmptySubsequences: false)
            .map { "<\(priority)>\($0)\n" }.joined()
        _ = try? FileDescriptor.standardError.writeAll(Array(text.utf8))
    }

    /// syslog(3) priorities: err 3, warning 4, notice 5, info 6, debug 7.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: return 2
        case .error: return 3
        case .warning: return 4
        case .notice: return 5
        case .info: return 6
        case .debug, .trace: return 7
        }
    }
}
