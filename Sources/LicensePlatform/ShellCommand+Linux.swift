import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs an administrator's command line, such as agent.conf's `reboot_command=` (default
/// `systemctl reboot`) or `prompt_command=`, the way a shell would: `/bin/sh -c COMMAND`.
///
/// `posix_spawn`, not `fork`: nothing of the agent's state runs in the child. The child's
/// stdout goes to the agent's stderr, so that a command that talks never mixes into the
/// agent's `--json` output on stdout. The agent waits for it to end — with a time limit,
/// for as long as the limit allows; then the child's whole process group is killed.
public enum ShellCommand {
    /// How the command ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)
        /// Still running at the time limit: killed with its process group.
        case timedOut(Duration)

        public var succeeded: Bool { self == .exited(0) }

        public var description: String {
            switch self {
            case .exited(let status): return "exit status \(status)"
            case .signalled(let signal): return "killed by signal \(signal)"
            case .timedOut(let limit): return "no answer within \(limit.components.seconds) seconds"
            }
        }
    }

    /// Runs `command` with `environment` added to the agent's own, and waits for it — at most
    /// `timeout` when one is given.
    public static func run(_ command: String, environment: [String: String] = [:],
                           timeout: Duration? = nil) throws(AgentError) -> Termination {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO)
        // Its own process group, so that a time limit ends everything the command started.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        let arguments: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (text: String) in strdup(text) }
        defer { arguments.forEach { free($0) } }
        var argv = arguments + [nil]
        let variables: [UnsafeMutablePointer<CChar>?] = mergedEnvironment(environment).map { strdup($0) }
        defer { variables.forEach { free($0) } }
        var envp = variables + [nil]
        // Int32, not pid_t: naming a C type alias here made `mode_t` in OpenDirectory+Linux.swift
        // resolve to the internal CLinux import (a compile error in that public signature).
        var child: Int32 = 0
        let spawned = posix_spawn(&child, "/bin/sh", &actions, &attributes, &argv, &envp)
        guard spawned == 0 else {
            throw AgentError(.io, "Cannot start the command `\(command)`", cause: .system(Errno(rawValue: spawned)))
        }
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        var status: Int32 = 0
        while true {
            let options = deadline == nil ? 0 : WNOHANG
            let waited = try valueOrErrno("wait4") { waitpid(child, &status, options) }
                .orThrow(.io, "Cannot wait for the command `\(command)`", path: nil)
            if waited == child { break }
            if let deadline, let timeout, clock.now >= deadline {
                kill(-child, SIGKILL)
                // Reaps the killed child; there is nothing left to report if that fails.
                _ = valueOrErrno("wait4") { waitpid(child, &status, 0) }
                return .timedOut(timeout)
            }
            usleep(50_000)
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }

    /// The agent's environment as `NAME=value` entries, with `extra` set on top.
    static func mergedEnvironment(_ extra: [String: String]) -> [String] {
        var entries: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            let name = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? text
            if extra[name] == nil { entries.append(text) }
            index += 1
        }
        return entries + extra.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }
}
