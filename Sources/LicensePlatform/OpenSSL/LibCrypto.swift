internal import COpenSSL

/// libcrypto's process-wide set-up, done once before anything else uses OpenSSL.
///
/// `OPENSSL_INIT_NO_LOAD_CONFIG`: the agent never reads the system's `openssl.cnf` (nor one
/// named by `OPENSSL_CONF`). What it trusts is the keyring, the CRL file and the rules of
/// LICENSE-FORMAT.md; a configuration file that loads other providers, sets default
/// properties or changes security levels must not change a verdict — nor cost start-up time
/// at every boot. OpenSSL loads the
/// configuration at most once per process, so after this call a later request to load it
/// (libcurl's `OPENSSL_init_ssl` in `fetch`, for one) finds the step done and loads nothing.
///
/// `OPENSSL_INIT_NO_ATEXIT`: at exit, libcrypto would free every table it built (its
/// algorithms, names, decoders, error strings), one allocation at a time, for a process whose
/// memory the kernel is about to take back whole: most of the work of `exit` at every boot.
///
/// `license-agent` calls it first thing in `main()`; `CMSLicenseVerifier` calls it as well,
/// for every other user of the library (tests, fuzz targets). Later calls do nothing.
public enum LibCrypto {
    private static let initialized: Bool = {
        OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_LOAD_CONFIG) | UInt64(OPENSSL_INIT_NO_ATEXIT), nil) == 1
    }()

    /// Initialises libcrypto without its configuration file or exit handler; true when
    /// libcrypto is usable.
    @discardableResult
    public static func initialize() -> Bool { initialized }
}
