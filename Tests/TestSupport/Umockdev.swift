import Foundation

/// Fake hardware for tests: umockdev device descriptions (hand-written fixtures under
/// `Tests/Fixtures/umockdev`, or generated ones) and running a program under `umockdev-run`,
/// where libudev and `/sys` see only the described devices.
///
/// Description format (umockdev-record's): a block per device, separated by a blank line;
/// `P:` the devpath, `E:` a udev property, `A:` a sysfs attribute (may contain `/` for a
/// subdirectory), `L:` a symlink. Ancestors are separate blocks of their own.
public enum Umockdev {
    /// One device block of a description.
    public struct Device: Sendable {
        public var devpath: String
        public var properties: [(String, String)]
        public var attributes: [(String, String)]
        public var links: [(String, String)]

        public init(_ devpath: String, properties: [(String, String)] = [],
                    attributes: [(String, String)] = [], links: [(String, String)] = []) {
            self.devpath = devpath
            self.properties = properties
            self.attributes = attributes
            self.links = links
        }

        var text: String {
            var lines = ["P: \(devpath)"]
            lines += properties.map { "E: \($0.0)=\($0.1)" }
            lines += attributes.map { "A: \($0.0)=\($0.1)" }
            lines += links.map { "L: \($0.0)=\($0.1)" }
            return lines.joined(separator: "\n")
        }
    }

    /// `Tests/Fixtures/umockdev`, found from this source file's location.
    public static var fixturesDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/umockdev").path
    }

    /// The path of the hand-written fixture `name` (without `.umockdev`); throws if missing.
    public static func fixture(_ name: String) throws -> String {
        let path = fixturesDirectory + "/" + name + ".umockdev"
        guard FileManager.default.fileExists(atPath: path) else {
            throw ProcessRunner.Failure(description: "no umockdev fixture \(path)")
        }
        return path
    }

    /// The description text of `devices`, in umockdev-record's format.
    public static func description(of devices: [Device]) -> String {
        devices.map(\.text).joined(separator: "\n\n") + "\n"
    }

    /// Writes `devices` as `name` in `directory`; returns the file's path.
    @discardableResult
    public static func write(_ devices: [Device], as name: String, in directory: TemporaryDirectory) throws -> String {
        try directory.write(name, description(of: devices))
    }

    /// The argument vector that runs `arguments` under `umockdev-run -d deviceFile`, for
    /// embedding in another command (e.g. inside `unshare`).
    public static func commandLine(deviceFile: String, _ arguments: [String]) throws -> [String] {
        [try ProcessRunner.resolve("umockdev-run"), "-d", deviceFile, "--"] + arguments
    }

    /// Runs `arguments` under `umockdev-run` with the devices of `deviceFile`.
    @discardableResult
    public static func run(deviceFile: String, _ arguments: [String],
                           environment: [String: String] = [:]) throws -> ProcessResult {
        try ProcessRunner.run(try commandLine(deviceFile: deviceFile, arguments), environment: environment)
    }

    /// The start of a command that runs under `umockdev-run` with the fixture `name`, with
    /// address-space randomisation off (`setarch -R`), for tests that trace a run and then
    /// make its N-th call of a system call fail (strace `inject=…:when=N`): the two runs must
    /// make the same calls in the same order. They would not: at start-up the Swift runtime
    /// reads `/proc/self/maps` in as many `read`s as the file happens to be long, and its
    /// length follows the randomised layout, so N could land on another file's `read`.
    public static func reproducible(_ name: String) throws -> [String] {
        ["setarch", "-R", "umockdev-run", "-d", try fixture(name), "--"]
    }

    /// The built `license-agent`.
    public static var agent: String { ProcessRunner.buildDirectory + "/license-agent" }
}
