import LicensePolicy

/// Facts about this build of the agent.
public enum BuildInfo {
    public static let version = "0.1.0"
    /// The release date: an input of trusted time (a device clock earlier than the agent
    /// itself is certainly wrong). `Packaging/build-release` rewrites it to the day of the
    /// release build; in a development tree it is the date of the last edit of this line.
    public static let buildDate = Timestamp(rfc3339: "2026-11-01T00:00:00Z")!
}
