import Foundation
import Testing
import TestSupport

/// The command line never depends on `/proc` (CLI.md "One failed syscall never costs the
/// truth"): with no arguments at all the agent prints its usage and exits 64, and without
/// `/proc` it sees the arguments it was given. Swift's `CommandLine` finds `argv` on Linux
/// through `/proc/self/maps`; without it, every command once read as "no arguments", which
/// printed the help and exited 0.
@Suite struct CommandLineWithoutProcTests {
    @Test func noArgumentsIsAUsageError() throws {
        let result = try ProcessRunner.run([Umockdev.agent])
        #expect(result.status == 64, "\(result)")
        #expect(result.stdout.isEmpty, "\(result)")
        #expect(result.stderr.contains("No command was given"), "\(result)")
        #expect(result.stderr.contains("Usage: license-agent"), "\(result)")
    }

    /// Inside a mount namespace whose `/proc` is an empty tmpfs: no arguments is still 64, and
    /// `--version`, a boot invocation and a parsed command get the arguments they were given.
    @Test(.enabled(if: ProcessRunner.isRoot)) func argumentsWithoutProc() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        let output = { (name: String) in device.directory.appending(name) }
        let agent = Umockdev.agent
        let result = try LicenseStoreTests.inNamespace("""
            mount -t tmpfs tmpfs /proc
            set +e
            '\(agent)' >\(output("none.out")) 2>\(output("none.err")); echo "NONE $?"
            '\(agent)' --version >\(output("version.out")) 2>&1; echo "VERSION $?"
            '\(agent)' status --json --root '\(device.root)' >\(output("status.out")) 2>\(output("status.err")); echo "STATUS $?"
            '\(agent)' features --json --root '\(device.root)' >\(output("features.out")) 2>\(output("features.err")); echo "FEATURES $?"
            """)
        let read = { (name: String) in (try? String(contentsOfFile: output(name), encoding: .utf8)) ?? "" }
        #expect(result.stdout.contains("NONE 64"), "\(result)\n\(read("none.out"))")
        #expect(read("none.out").isEmpty, "\(read("none.out"))")
        #expect(read("none.err").contains("Usage: license-agent"), "\(read("none.err"))")
        #expect(result.stdout.contains("VERSION 0"), "\(result)")
        #expect(!read("version.out").contains("USAGE"), "\(read("version.out"))")
        #expect(read("version.out").split(separator: "\n").count == 1, "\(read("version.out"))")
        let status = try JSONSerialization.jsonObject(with: Data(read("status.out").utf8)) as? [String: Any]
        #expect(status?["schemaVersion"] as? Int == 1, "\(read("status.out"))")
        let features = try JSONSerialization.jsonObject(with: Data(read("features.out").utf8)) as? [String: Any]
        #expect(features?["schemaVersion"] as? Int == 1, "\(read("features.out"))")
        #expect(result.stdout.contains("FEATURES 0") || result.stdout.contains("FEATURES 2"), "\(result)")
    }
}
