import Foundation

/// The outcome of running a program to completion.
public struct ProcessResult: Sendable, CustomStringConvertible {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// stdout parsed as one JSON object.
    public func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any] else {
            throw ProcessRunner.Failure(description: "stdout is not a JSON object: \(stdout)")
        }
        return object
    }

    public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Runs real programs for tests: the built `license-agent`, `openssl`, `umockdev-run`,
/// `unshare`, `faketime`. No shell is involved unless a test asks for `/bin/sh -c`.
public enum ProcessRunner {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    /// Runs `arguments[0]` (looked up in PATH when it has no slash) with the rest as arguments.
    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:],
                           stdin: Data? = nil, directory: String? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try resolve(arguments[0]))
        process.arguments = Array(arguments.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        if let stdin { inPipe.fileHandleForWriting.write(stdin) }
        try inPipe.fileHandleForWriting.close()
        // Drain both pipes concurrently so a chatty child never blocks on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let errReader = Thread { errData = errPipe.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errReader.isFinished { usleep(1000) }
        return ProcessResult(status: process.terminationStatus,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs and throws unless the exit status is 0.
    @discardableResult
    public static func checked(_ arguments: [String], environment: [String: String] = [:],
                               stdin: Data? = nil) throws -> ProcessResult {
        let result = try run(arguments, environment: environment, stdin: stdin)
        guard result.status == 0 else {
            throw Failure(description: "\(arguments.joined(separator: " ")) failed: \(result)")
        }
        return result
    }

    public static func resolve(_ program: String) throws -> String {
        if program.contains("/") { return program }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw Failure(description: "\(program) is not installed (not found in PATH)")
    }

    /// Directory holding the built products (`license-agent`, `license-issuer`): the
    /// directory of the running test bundle, or `LICENSE_AGENT_BUILD_DIR` when set.
    public static var buildDirectory: String {
        if let explicit = ProcessInfo.processInfo.environment["LICENSE_AGENT_BUILD_DIR"] { return explicit }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("license-agent").path) {
                return url.path
            }
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug"
    }

    /// True when running as root: mount-namespace tests need it. CI runs as root, so a
    /// root-only test is gated on this, and `.ci/run` fails if it would be skipped there.
    public static var isRoot: Bool { getuid() == 0 }
}

extension ProcessRunner {
    /// The full path of `program` from PATH.
    public static func which(_ program: String) throws -> String { try resolve(program) }
}

extension ProcessRunner {
    /// The words that run a command on a faked clock: `faketime TIME`, or with `frozen` a wall
    /// clock that stands still at TIME (`faketime -f`).
    ///
    /// The test process may itself run on a shifted clock (`scripts/test --days-ahead`, or
    /// `faketime -f +800d swift test`). A child told "at TIME" must see TIME, not TIME shifted
    /// again by the libfaketime it would inherit, so the outer fake clock's preload and
    /// variables are taken out of its environment first.
    public static func fakeClock(_ time: String, frozen: Bool = false) -> [String] {
        let environment = ProcessInfo.processInfo.environment
        var words = ["env"]
        for name in environment.keys.sorted() where name.hasPrefix("FAKETIME") || name == "DONT_FAKE_MONOTONIC" {
            words += ["-u", name]
        }
        if let preload = environment["LD_PRELOAD"] {
            let kept = preload.split(whereSeparator: { $0 == ":" || $0 == " " }).filter { !$0.contains("libfaketime") }
            words += kept.isEmpty ? ["-u", "LD_PRELOAD"] : ["LD_PRELOAD=" + kept.joined(separator: ":")]
        }
        // A frozen monotonic clock would stop every wait and timeout: only the wall clock stops.
        if frozen { words.append("FAKETIME_DONT_FAKE_MONOTONIC=1") }
        return words + ["faketime"] + (frozen ? ["-f", time] : [time])
    }
}
