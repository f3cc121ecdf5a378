import Glibc

/// The dynamic loader, as the libraries opened on first use (libblkid, libcurl, libseccomp:
/// see their shims) report it.
enum DynamicLoader {
    /// Why the last `dlopen` or `dlsym` failed, in the loader's words.
    static func lastError() -> String {
        guard let message = dlerror() else { return "the dynamic loader gave no reason" }
        return String(cString: message)
    }
}
