#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Command-line arguments as the bytes the shell passed (CLI.md "File names, output and
/// secrets": names are bytes). Swift decodes `argv` into `String`s and repairs what is not
/// UTF-8, so parsed file arguments are matched back to the `argv` entries they came from.
public enum RawArguments {
    /// The bytes of the `argv` entries that `arguments` were decoded from, matched in order
    /// (parsed positional arguments keep the shell's order) and by the decoded bytes, not by
    /// `String` equality: NFC and NFD spellings, or two names whose different non-UTF-8 bytes
    /// both decode to U+FFFD, stay two entries. The UTF-8 of an argument with no entry left.
    public static func bytes(of arguments: [String]) -> [[UInt8]] {
        let argv = (1..<Int(CommandLine.argc)).compactMap { CommandLine.unsafeArgv[$0] }.map { raw in
            UnsafeRawBufferPointer(start: raw, count: strlen(raw)).map { $0 }
        }
        var next = argv.startIndex
        return arguments.map { argument in
            let decodesToArgument = { (bytes: [UInt8]) in
                String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(argument.utf8)
            }
            guard let index = argv[next...].firstIndex(where: decodesToArgument) else { return Array(argument.utf8) }
            next = index + 1
            return argv[index]
        }
    }
}
