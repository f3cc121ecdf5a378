import LicensePolicy

/// Directory listings by path, for callers that only look (profiles, sticks, request files).
/// Changes go through `OpenDirectory`, which names entries by their bytes.
public enum Directory {
    public typealias Entry = OpenDirectory.Entry

    /// The entries of `path` (without `.` and `..`), in byte order; nil when it does not exist.
    public static func entries(of path: String) throws(AgentError) -> [Entry]? {
        try OpenDirectory.open(path)?.entries()
    }
}
