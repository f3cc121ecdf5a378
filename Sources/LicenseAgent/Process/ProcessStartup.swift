import LicensePlatform

/// What a `license-agent` process does before anything else.
public enum ProcessStartup {
    /// Initialises libcrypto without the system's `openssl.cnf` (`LibCrypto`): the agent's
    /// trust must not depend on a configuration file, and no later step may load one.
    public static func prepare() {
        LibCrypto.initialize()
    }
}
