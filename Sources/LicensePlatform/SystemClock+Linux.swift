import LicensePolicy

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The device's wall clock, the raw input of trusted time. Read through `clock_gettime`
/// so that `faketime` in tests moves it exactly as a wrong RTC would on a device.
public enum SystemClock {
    public static func now() -> Timestamp {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Timestamp(secondsSinceEpoch: Int64(now.tv_sec))
    }
}
