import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Limits the kernel enforces on the network helper whatever its code does: no core file (a
/// crash must not leave response bytes or proxy credentials on disk), no file written or
/// grown, a bounded address space and few descriptors.
public enum ResourceLimits {
    /// The helper's limits; each is set as both the soft and the hard limit, so that it
    /// cannot be raised again.
    public static let networkHelper: [(name: String, resource: Int32, value: UInt64)] = [
        ("core", Int32(RLIMIT_CORE.rawValue), 0),
        ("fsize", Int32(RLIMIT_FSIZE.rawValue), 0),
        ("as", Int32(RLIMIT_AS.rawValue), 1 << 30),
        ("nofile", Int32(RLIMIT_NOFILE.rawValue), 64),
    ]

    public static func apply(_ limits: [(name: String, resource: Int32, value: UInt64)]) throws(AgentError) {
        for limit in limits {
            var value = rlimit(rlim_cur: rlim_t(limit.value), rlim_max: rlim_t(limit.value))
            try nothingOrErrno("setrlimit") { setrlimit(__rlimit_resource_t(UInt32(limit.resource)), &value) }
                .orThrow(.io, "Cannot limit the network helper's resources (RLIMIT_\(limit.name.uppercased()))", path: nil)
        }
    }
}
