import ArgumentParser
import LicensePolicy

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `license-issuer`: the vendor side, for the demo and tests only. Never installed on devices.
///
/// Makes a throwaway licensing PKI and signs license documents into `.lic` files with
/// libcrypto (through `LicensePlatform`), never by running the `openssl` program.
@main
struct LicenseIssuerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "license-issuer",
        abstract: "Make a throwaway licensing PKI and sign license documents (test and demo tool).",
        discussion: "Exit codes: 0 success; 1 error; 64 usage error.",
        subcommands: [PKICommand.self, SignCommand.self])
}

/// Runs a command's body: an `AgentError` becomes its sentence on stderr and its exit
/// status (1 for everything this tool does); any other error is a fault, exit 1.
func runReporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as AgentError {
        writeToStandardError(error.sentence)
        throw ExitCode(error.exitStatus)
    } catch let error as ExitCode {
        throw error
    } catch {
        writeToStandardError("Unexpected failure: \(error).")
        throw ExitCode(1)
    }
}

/// Writes `line` and a newline to stderr, ignoring failures (there is nowhere left to report them).
func writeToStandardError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// `path` anchored at the working directory when relative (the file layer wants absolute paths).
func absolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getcwd(&buffer, buffer.count) != nil else { return path }
    let directory = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return directory == "/" ? "/" + path : directory + "/" + path
}
