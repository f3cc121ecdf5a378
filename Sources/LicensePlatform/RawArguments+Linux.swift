#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Command-line arguments as the bytes the shell passed (CLI.md "File names, output and
/// secrets": names are bytes). Swift decodes `argv` into `String`s and repairs what is not
/// UTF-8; here every entry is spelled losslessly (`ArgumentEncoding`) before anything parses
/// it, so each parsed value carries the bytes of the very argument it came from — by
/// position, never by looking for an entry that decodes alike.
public enum RawArguments {
    /// The arguments without the program name, each spelled by `ArgumentEncoding`: what
    /// `main()` parses. Read from `argv` itself, never from `/proc`.
    public static var strings: [String] { argv.map { ArgumentEncoding.string($0) } }

    /// The bytes each of `arguments` (parsed from `strings`) stands for.
    public static func bytes(of arguments: [String]) -> [[UInt8]] {
        arguments.map { ArgumentEncoding.bytes(of: $0) }
    }

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
}
