import ArgumentParser
import FoundationEssentials
import LicensePolicy
import SystemPackage

/// Runs a command's body and turns its outcome into the contract's exit code (CLI.md):
/// the body returns the status for an answer (0, 2, …); an `AgentError` becomes its one
/// plain sentence on stderr and its `exitStatus` — and, with `json`, also the error object
/// `{"schemaVersion":1,"error":{"code","message","path"}}` on stdout, so that a script
/// reading stdout always gets one JSON object. Any other error is a fault, exit 1.
///
/// Every command's `run()`, in `license-agent` and `license-issuer`, is
/// `try runReporting { … }`, so errors become output and exit codes in one place.
public func runReporting(json: Bool = false, _ body: () throws -> Int32) throws {
    let status: Int32
    do {
        status = try body()
    } catch let error as AgentError {
        report(error, json: json)
        status = error.exitStatus
    } catch let error as ExitCode {
        throw error
    } catch {
        report(AgentError(.io, "Unexpected failure", cause: .text("\(error)")), json: json)
        status = 1
    }
    if status != 0 { throw ExitCode(status) }
}

/// The error's sentence on stderr and, with `json`, its object on stdout.
public func report(_ error: AgentError, json: Bool) {
    writeToStandardError(error.sentence)
    if json { Console.write(ErrorDocument(error).json) }
}

/// Writes `line` and a newline to stderr, control characters escaped, ignoring failures
/// (there is nowhere left to report them).
public func writeToStandardError(_ line: String) {
    _ = try? FileDescriptor.standardError.writeAll(Array((DisplayText.escaping(line) + "\n").utf8))
}

/// Standard output for people and scripts (CLI.md "File names, output and secrets"): control
/// characters from file names, documents or server answers are escaped (`\x1b`), so nothing
/// printed can move the cursor or forge lines on an administrator's terminal.
public enum Console {
    public static func write(_ text: String) {
        _ = try? FileDescriptor.standardOutput.writeAll(Array((DisplayText.escaping(text) + "\n").utf8))
    }
}

/// `{"schemaVersion":1,"error":{"code":…,"message":…,"path":…}}`.
struct ErrorDocument: Encodable {
    struct Body: Encodable {
        let code: String
        let message: String
        let path: String?

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
            try container.encode(path, forKey: .path)
        }

        enum CodingKeys: String, CodingKey { case code, message, path }
    }

    let schemaVersion = 1
    let error: Body

    init(_ error: AgentError) {
        self.error = Body(code: error.code.rawValue, message: error.sentence, path: error.path)
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{\"schemaVersion\":1}"
    }
}
