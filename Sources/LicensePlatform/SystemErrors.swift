import LicensePolicy
import SystemPackage

extension AgentError.Cause {
    /// The cause for a failed system call, with strerror's text.
    public static func system(_ errno: Errno) -> AgentError.Cause {
        .errno(errno.rawValue, errno.description)
    }
}
