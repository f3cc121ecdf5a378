internal import CSandbox
import LicensePolicy

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A seccomp filter (`scmp_filter_ctx`) built with libseccomp: an allow-list of system calls,
/// everything else kills the process (`SCMP_ACT_KILL_PROCESS`). Once loaded it holds for the
/// rest of the process's life; the context itself is freed with this object.
///
/// libseccomp is opened on first use (see CSeccomp's shim), so only the network helper loads it.
public final class SystemCallFilter {
    /// One allowed call, optionally only when its argument `index`, masked with `mask`,
    /// equals `value`.
    public struct Rule: Sendable {
        public let name: String
        public let argument: (index: UInt32, mask: UInt64, value: UInt64)?

        public static func allow(_ name: String) -> Rule { Rule(name: name, argument: nil) }

        /// `clone` that starts a thread of this process, never a new process.
        public static var threadsOnly: Rule {
            let thread = UInt64(sandbox_clone_thread())
            return allow("clone", argument: 0, masked: thread, equals: thread)
        }

        /// Allowed when `(argument & mask) == value`.
        public static func allow(_ name: String, argument index: UInt32, masked mask: UInt64, equals value: UInt64) -> Rule {
            Rule(name: name, argument: (index, mask, value))
        }
    }

    private let context: scmp_filter_ctx

    /// A filter that allows `rules`, answers `failing` with `ENOSYS` (calls that libc falls
    /// back from, such as `clone3`), and kills the process on any other call.
    public init(allowing rules: [Rule], failing: [String]) throws(AgentError) {
        guard seccomp_shim_available() != 0 else {
            throw AgentError(.io, "libseccomp (libseccomp.so.2) is not installed; the network helper does not run without its system-call filter",
                             remedy: "Install the libseccomp2 package")
        }
        guard let context = seccomp_shim_init(seccomp_shim_action_kill_process()) else {
            throw AgentError(.io, "libseccomp could not create a system-call filter")
        }
        self.context = context
        for rule in rules {
            try add(rule.name, action: seccomp_shim_action_allow(), argument: rule.argument)
        }
        for name in failing {
            try add(name, action: seccomp_shim_action_errno(UInt16(ENOSYS)), argument: nil)
        }
    }

    deinit { seccomp_shim_release(context) }

    /// Installs the filter on the calling process (every thread it starts inherits it).
    public func load() throws(AgentError) {
        let result = seccomp_shim_load(context)
        guard result == 0 else {
            throw AgentError(.io, "The network helper's system-call filter could not be installed", cause: .errno(-result, "seccomp_load"))
        }
    }

    private func add(_ name: String, action: UInt32, argument: (index: UInt32, mask: UInt64, value: UInt64)?) throws(AgentError) {
        let number = seccomp_shim_syscall_resolve_name(name)
        // A call this kernel's architecture does not have is not needed either.
        guard number != __NR_SCMP_ERROR else { return }
        let result: Int32
        if let argument {
            var comparison = scmp_arg_cmp(arg: argument.index, op: SCMP_CMP_MASKED_EQ, datum_a: argument.mask,
                                          datum_b: argument.value)
            result = seccomp_shim_rule_add_array(context, action, number, 1, &comparison)
        } else {
            result = seccomp_shim_rule_add_array(context, action, number, 0, nil)
        }
        guard result == 0 else {
            throw AgentError(.io, "libseccomp refused the rule for \(name)", cause: .errno(-result, "seccomp_rule_add"))
        }
    }
}
