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
        let argv = self.argv
        var next = argv.startIndex
        return arguments.map { argument in
            guard let index = argv[next...].firstIndex(where: { decodes($0[...], to: argument) }) else { return Array(argument.utf8) }
            next = index + 1
            return argv[index]
        }
    }

    /// The bytes of the value `value` was decoded from, given to the option `name` as
    /// `name VALUE` or `name=VALUE`: the last such entry, as the last of a repeated option is
    /// the one parsed. The UTF-8 of `value` when `argv` has none (the option's default).
    public static func bytes(ofOption name: String, value: String) -> [UInt8] {
        let argv = self.argv
        let joined = Array((name + "=").utf8)
        var found: ArraySlice<UInt8>?
        for (index, entry) in argv.enumerated() {
            if entry.elementsEqual(name.utf8), index + 1 < argv.count, decodes(argv[index + 1][...], to: value) {
                found = argv[index + 1][...]
            } else if entry.starts(with: joined), decodes(entry.dropFirst(joined.count), to: value) {
                found = entry.dropFirst(joined.count)
            }
        }
        return found.map(Array.init) ?? Array(value.utf8)
    }

    /// `argv` without the program name, as bytes.
    private static var argv: [[UInt8]] {
        (1..<Int(CommandLine.argc)).compactMap { CommandLine.unsafeArgv[$0] }.map { raw in
            UnsafeRawBufferPointer(start: raw, count: strlen(raw)).map { $0 }
        }
    }

    /// Swift's decoding of `bytes` (U+FFFD for what is not UTF-8) is `argument`, byte for byte.
    private static func decodes(_ bytes: ArraySlice<UInt8>, to argument: String) -> Bool {
        String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(argument.utf8)
    }
}
