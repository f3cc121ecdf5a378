import ArgumentParser
import LicensePolicy
import SystemPackage

/// Runs a command's body and turns its outcome into the contract's exit code (CLI.md):
/// the body returns the status for an answer (0, 2, …); an `AgentError` becomes its one
/// plain sentence on stderr and its `exitStatus`; any other error is a fault, exit 1.
///
/// Every command's `run()`, in `license-agent` and `license-issuer`, is
/// `try runReporting { … }`, so errors become output and exit codes in one place.
public func runReporting(_ body: () throws -> Int32) throws {
    let status: Int32
    do {
        status = try body()
    } catch let error as AgentError {
        writeToStandardError(error.sentence)
        status = error.exitStatus
    } catch let error as ExitCode {
        throw error
    } catch {
        writeToStandardError("Unexpected failure: \(error).")
        status = 1
    }
    if status != 0 { throw ExitCode(status) }
}

/// Writes `line` and a newline to stderr, ignoring failures (there is nowhere left to report them).
public func writeToStandardError(_ line: String) {
    _ = try? FileDescriptor.standardError.writeAll(Array((line + "\n").utf8))
}
