#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Facts about the running process that the layers above need without importing libc.
public enum CurrentProcess {
    public static var id: Int32 { getpid() }
    public static var isRoot: Bool { geteuid() == 0 }
}
