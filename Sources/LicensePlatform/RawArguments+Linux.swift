#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Command-line arguments as the bytes the shell passed (CLI.md "File names, output and
/// secrets": names are bytes). Swift decodes `argv` into `String`s and repairs what is not
/// UTF-8, so a parsed file argument is matched back to the `argv` entry it came from.
public enum RawArguments {
    /// The bytes of the first `argv` entry that decodes to `argument`; its UTF-8 when none does.
    public static func bytes(of argument: String) -> [UInt8] {
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index] else { continue }
            let bytes = UnsafeRawBufferPointer(start: raw, count: strlen(raw)).map { $0 }
            if String(decoding: bytes, as: UTF8.self) == argument { return bytes }
        }
        return Array(argument.utf8)
    }
}
