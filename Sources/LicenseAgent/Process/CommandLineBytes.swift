import LicensePlatform
import LicensePolicy

/// The command line as the bytes the shell passed (CLI.md "File names, output and secrets").
/// The parser is given every argument spelled losslessly (`ArgumentEncoding`), so each value it
/// returns holds the bytes of the argument it was parsed from, whatever position that was:
/// a path is read back with `bytes(_:)` or `path(_:)`; a value that is not a path (a feature
/// name, a URL, an e-mail address) and any message quoting an argument go through `text(_:)`,
/// which reads as Swift's own decoding of `argv` always did (U+FFFD for what is not UTF-8).
public enum CommandLineBytes {
    /// The arguments without the program name, as the parser takes them: read from `argv`
    /// itself, so they never depend on `/proc` (which Swift's `CommandLine` reads on Linux).
    public static var commandLine: [String] { RawArguments.strings }

    /// The bytes of the path `parsed` (`--root DIR`, `--dir=DIR`, `config apply FILE`…): exactly
    /// those of the argument it was parsed from; `parsed`'s UTF-8 for a default value.
    public static func bytes(_ parsed: String) -> [UInt8] {
        ArgumentEncoding.bytes(of: parsed)
    }

    /// `parsed` — a value, or a text that quotes one — as Swift decodes the bytes it stands for.
    public static func text(_ parsed: String) -> String {
        ArgumentEncoding.decoded(parsed)
    }

    /// A path for code that takes paths as strings (libcurl's CA file, `mount`): the text when
    /// the bytes are UTF-8, else the file opened by its bytes and reached as
    /// `/proc/self/fd/N` (`HeldPath`), which stays open while this value lives.
    public struct Path: Sendable {
        public let path: String
        let holder: HeldPath?
    }

    /// The path `parsed`, as the bytes of the argument it was parsed from.
    /// - Throws: `AgentError` (`.notFound`) when a name that is not UTF-8 names nothing.
    public static func path(_ parsed: String) throws(AgentError) -> Path {
        let held = try HeldPath.path(for: bytes(parsed), kind: .any)
        return Path(path: held.path, holder: held.holder)
    }

    /// The bytes of the positional paths `parsed`, in order.
    public static func arguments(_ parsed: [String]) -> [[UInt8]] {
        RawArguments.bytes(of: parsed)
    }
}
