import LicensePlatform

/// The paths the command line takes, as the bytes the shell passed (CLI.md "File names,
/// output and secrets"): the parsers decode `argv` into `String`s and repair what is not
/// UTF-8, so each parsed value is matched back to the `argv` entry it came from.
public enum CommandLineBytes {
    /// The bytes of the option `name`'s value (`--root DIR`, `--dir=DIR`…) that `parsed` was
    /// decoded from; `parsed`'s UTF-8 when the option was not given (its default).
    public static func option(_ name: String, _ parsed: String) -> [UInt8] {
        RawArguments.bytes(ofOption: name, value: parsed)
    }

    /// The bytes of the positional arguments `parsed` were decoded from, in order.
    public static func arguments(_ parsed: [String]) -> [[UInt8]] {
        RawArguments.bytes(of: parsed)
    }
}
