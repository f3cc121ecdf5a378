import LicensePlatform
import LicensePolicy

/// The paths the command line takes, as the bytes the shell passed (CLI.md "File names,
/// output and secrets"): the parsers decode `argv` into `String`s and repair what is not
/// UTF-8, so each parsed value is matched back to the `argv` entry it came from.
public enum CommandLineBytes {
    /// The arguments without the program name, as the parser takes them: read from `argv`
    /// itself, so they never depend on `/proc` (which Swift's `CommandLine` reads on Linux).
    public static var commandLine: [String] { RawArguments.strings }

    /// The bytes of the option `name`'s value (`--root DIR`, `--dir=DIR`…) that `parsed` was
    /// decoded from; `parsed`'s UTF-8 when the option was not given (its default).
    public static func option(_ name: String, _ parsed: String) -> [UInt8] {
        RawArguments.bytes(ofOption: name, value: parsed)
    }

    /// An option's path for code that takes paths as strings (libcurl's CA file, `mount`):
    /// the text when the bytes are UTF-8, else the file opened by its bytes and reached as
    /// `/proc/self/fd/N` (`HeldPath`), which stays open while this value lives.
    public struct Path: Sendable {
        public let path: String
        let holder: HeldPath?
    }

    /// The path of the option `name`'s value `parsed`, as the bytes the shell passed.
    /// - Throws: `AgentError` (`.notFound`) when a name that is not UTF-8 names nothing.
    public static func path(ofOption name: String, _ parsed: String) throws(AgentError) -> Path {
        let held = try HeldPath.path(for: option(name, parsed), kind: .any)
        return Path(path: held.path, holder: held.holder)
    }

    /// The bytes of the positional arguments `parsed` were decoded from, in order.
    public static func arguments(_ parsed: [String]) -> [[UInt8]] {
        RawArguments.bytes(of: parsed)
    }
}
