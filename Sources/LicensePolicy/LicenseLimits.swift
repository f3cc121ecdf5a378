/// Fixed limits of the license format (LICENSE-FORMAT.md "Envelope").
///
/// Kept in policy so that the agent (which refuses a file before reading it all) and the
/// signature layer (which refuses it before parsing it) apply the same number.
public enum LicenseLimits {
    /// A `.lic` file larger than this is refused as `malformed` without being parsed.
    public static let maximumFileSize = 65_536
}
