import Logging

/// The agent's diagnostic log: each step explained on stderr with `--verbose`, silent
/// otherwise. It never carries results (those go to stdout) nor the error sentence (that is
/// `AgentError.sentence`, printed once by the command line).
public enum AgentLog {
    /// Routes log messages to stderr: debug level with `verbose`, errors only otherwise.
    /// Called once, by the command line, before any command runs.
    public static func configure(verbose: Bool) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .error
            return handler
        }
    }
}

/// The logger every operation writes its steps to.
let log = Logger(label: "license-agent")
