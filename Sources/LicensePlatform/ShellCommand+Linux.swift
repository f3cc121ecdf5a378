import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs an administrator's command line, such as agent.conf's `reboot_command=` (default
/// `systemctl reboot`), the way a shell would: `/bin/sh -c COMMAND`.
///
/// `posix_spawn`, not `fork`: nothing of the agent's state runs in the child. The child's
/// stdout goes to the agent's stderr, so that a command that talks never mixes into the
/// agent's `--json` output on stdout. The agent waits for it to end.
public enum ShellCommand {
    /// How the command ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        public var succeeded: Bool { self == .exited(0) }

        public var description: String {
            switch self {
            case .exited(let status): return "exit status \(status)"
            case .signalled(let signal): return "killed by signal \(signal)"
            }
        }
    }

    public static func run(_ command: String) throws(AgentError) -> Termination {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO)

        let arguments: [UnsafeMutablePointer<CChar>?] = ["/bin/sh", "-c", command].map { (text: String) in strdup(text) }
        defer { arguments.forEach { free($0) } }
        var argv = arguments + [nil]
        // Int32, not pid_t: naming a C type alias here made `mode_t` in OpenDirectory+Linux.swift
        // resolve to the internal CLinux import (a compile error in that public signature).
        var child: Int32 = 0
        let spawned = posix_spawn(&child, "/bin/sh", &actions, nil, &argv, environ)
        guard spawned == 0 else {
            throw AgentError(.io, "Cannot start the command `\(command)`", cause: .system(Errno(rawValue: spawned)))
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) == -1 {
            let failure = errno
            guard failure == EINTR else {
                throw AgentError(.io, "Cannot wait for the command `\(command)`", cause: .system(Errno(rawValue: failure)))
            }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }
}
