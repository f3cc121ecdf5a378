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

    /// The arguments without the program name, decoded as Swift decodes `argv` (U+FFFD for
    /// what is not UTF-8): what `main()` parses. Read from `argv` itself, never from `/proc`.
    public static var strings: [String] { argv.map { String(decoding: $0, as: UTF8.self) } }

    /// `argv` without the program name, as bytes; read once, at the first use (`main()` reads
    /// it first, before anything could move `environ`).
    private static let argv: [[UInt8]] = {
        let vector = initialStackArguments() ?? runtimeArguments()
        return Array(vector.dropFirst())
    }()

    /// `argv` where the kernel put it at `execve`, on the initial stack: argc, the argument
    /// pointers, NULL, then the environment pointers (the ELF ABI's layout). The dynamic linker
    /// records where that block starts (`__libc_stack_end`, the address of argc).
    ///
    /// Swift's `CommandLine` finds the same block on Linux by looking its stack up in
    /// `/proc/self/maps`; without `/proc` (an early boot, a chroot, a namespace that has not
    /// mounted it) it sees no arguments at all, and every command would turn into "no command".
    /// This reads the arguments without `/proc`. It is used only when the block is where the
    /// ABI says: the environment pointers begin right after argv's NULL, where `environ` still
    /// points; otherwise nil, and `CommandLine` answers.
    private static func initialStackArguments() -> [[UInt8]]? {
        guard let symbol = dlsym(nil, "__libc_stack_end"),
              let start = symbol.load(as: UnsafeRawPointer?.self),
              let environment = UnsafeRawPointer(environ as UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) else { return nil }
        let word = MemoryLayout<UnsafeRawPointer>.stride
        let count = start.load(as: Int.self)
        guard (0..<(1 << 20)).contains(count),
              start + (count + 2) * word == environment else { return nil }
        let pointers = (start + word).assumingMemoryBound(to: UnsafePointer<CChar>?.self)
        var arguments: [[UInt8]] = []
        for index in 0..<count {
            guard let raw = pointers[index] else { return nil }
            arguments.append(Array(UnsafeRawBufferPointer(start: raw, count: strlen(raw))))
        }
        return arguments
    }

    /// `argv` as Swift's runtime found it (through `/proc/self/maps` on Linux).
    private static func runtimeArguments() -> [[UInt8]] {
        (0..<Int(CommandLine.argc)).compactMap { CommandLine.unsafeArgv[$0] }.map { raw in
            Array(UnsafeRawBufferPointer(start: raw, count: strlen(raw)))
        }
    }

    /// Swift's decoding of `bytes` (U+FFFD for what is not UTF-8) is `argument`, byte for byte.
    private static func decodes(_ bytes: ArraySlice<UInt8>, to argument: String) -> Bool {
        String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(argument.utf8)
    }
}
