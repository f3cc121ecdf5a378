import Foundation
@testable import license_agent
import Testing
import TestSupport

/// Start-up: the boot invocations skip swift-argument-parser and answer exactly as
/// the parsed commands do; help, completion scripts and the man page's source stay the
/// parser's; libcrypto never reads an `openssl.cnf`.
@Suite struct StartupTests {
    /// `license-agent ARGUMENTS --root ROOT` under umockdev with the fixture NIC, on a clock
    /// frozen at 2026-11-29 12:00:00 (so that two runs print the same times).
    static func agent(_ arguments: [String], on device: DeviceTree) throws -> ProcessResult {
        try ProcessRunner.run(ProcessRunner.fakeClock("2026-11-29 12:00:00", frozen: true)
                              + Umockdev.commandLine(deviceFile: try Umockdev.fixture("device"),
                                                     [Umockdev.agent] + arguments + ["--root", device.root]))
    }

    /// A device with a valid, an expired, a tampered and a foreign license.
    static func device() throws -> DeviceTree {
        let device = try DeviceTree()
        try device.installLicense("PAS-valid.lic", product: "PAS", licenseId: "pas-1")
        try device.installLicense("EMP-expired.lic", product: "EMP", expires: "2026-10-31", licenseId: "emp-1")
        try device.installLicense("other.lic", units: ["001122334455"], licenseId: "other-1")
        var tampered = try device.sign(DeviceTree.document(licenseId: "tampered", product: "EMP"), format: .der)
        let at = try #require(tampered.firstRange(of: Data("\"EMP\"".utf8)))
        tampered[at.lowerBound + 1] = UInt8(ascii: "X")
        try device.install("tampered.lic", tampered)
        return device
    }

    /// The same words answered by the direct dispatch and, with `--root` given twice (which
    /// the dispatch does not take, the parser does), by the parser: the same exit status,
    /// output, errors and published state.
    @Test(arguments: [["status"], ["status", "--json"], ["check"], ["check", "--json"], ["--json", "check"]])
    func bootInvocationsAnswerAsTheParsedCommandsDo(arguments: [String]) throws {
        let direct = try Self.device(), parsed = try Self.device()
        let viaDispatch = try Self.agent(arguments, on: direct)
        let viaParser = try Self.agent(arguments + ["--root", parsed.root], on: parsed)
        #expect(BootDispatch.invocation(arguments + ["--root", direct.root]) != nil)
        #expect(BootDispatch.invocation(arguments + ["--root", parsed.root, "--root", parsed.root]) == nil)
        #expect(viaDispatch.status == viaParser.status)
        #expect(viaDispatch.stdout.replacingOccurrences(of: direct.root, with: "ROOT")
                == viaParser.stdout.replacingOccurrences(of: parsed.root, with: "ROOT"))
        #expect(viaDispatch.stderr.replacingOccurrences(of: direct.root, with: "ROOT")
                == viaParser.stderr.replacingOccurrences(of: parsed.root, with: "ROOT"))
        if arguments.contains("check") {
            let published = { (device: DeviceTree) in
                try String(contentsOfFile: device.directory.appending("run/license-agent/state.json"), encoding: .utf8)
                    .replacingOccurrences(of: device.root, with: "ROOT")
            }
            #expect(try published(direct) == published(parsed))
        }
    }

    @Test func dispatchRecognisesOnlyTheBootWords() {
        #expect(BootDispatch.invocation(["check"]) == .init(command: .check))
        #expect(BootDispatch.invocation(["--root", "/r", "--json", "status", "--verbose"])
                == .init(command: .status, root: "/r", json: true, verbose: true))
        #expect(BootDispatch.invocation(["status", "--root=/r"]) == .init(command: .status, root: "/r"))
        for words in [[], ["--help"], ["status", "--help"], ["check", "-h"], ["status", "--at", "2027-01-01"], ["status", "check"],
                      ["status", "--json", "--json"], ["status", "--root"], ["status", "--root", "--json"], ["status", "--root="],
                      ["unit-id"], ["check", "extra"], ["--version"], ["status", "--"], ["help", "status"],
                      ["--generate-completion-script", "bash"], ["--experimental-dump-help"]] {
            #expect(BootDispatch.invocation(words) == nil, "\(words)")
        }
    }

    /// `--root` that is not a directory: the parser's usage error, also for the boot words.
    @Test func rootThatIsNotADirectoryIsTheParsersUsageError() throws {
        let result = try ProcessRunner.run([Umockdev.agent, "--root", "/no/such/root", "check"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("Error: --root /no/such/root is not an existing directory."), "\(result)")
        #expect(result.stderr.contains("Usage: license-agent check"), "\(result)")
    }

    /// Help, completion scripts and `--experimental-dump-help` (the man page's source) are what
    /// swift-argument-parser renders for the command tree, byte for byte: main() passes them on.
    @Test(arguments: [
        (["--help"], LicenseAgentCommand.helpMessage(columns: 80)),
        (["status", "--help"], LicenseAgentCommand.helpMessage(for: StatusCommand.self, columns: 80)),
        (["check", "--help"], LicenseAgentCommand.helpMessage(for: CheckCommand.self, columns: 80)),
        (["--json", "check", "--help"], LicenseAgentCommand.helpMessage(for: CheckCommand.self, columns: 80)),
        (["--generate-completion-script", "bash"], LicenseAgentCommand.completionScript(for: .bash)),
        (["--generate-completion-script", "zsh"], LicenseAgentCommand.completionScript(for: .zsh)),
        (["--generate-completion-script", "fish"], LicenseAgentCommand.completionScript(for: .fish)),
        (["--experimental-dump-help"], LicenseAgentCommand._dumpHelp()),
    ])
    func helpAndCompletionAreTheParsers(arguments: [String], expected: String) throws {
        let result = try ProcessRunner.run([Umockdev.agent] + arguments, environment: ["COLUMNS": "80"])
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .newlines) == expected.trimmingCharacters(in: .newlines))
    }

    /// An `openssl.cnf` that loads only the null provider leaves libcrypto without a single
    /// algorithm; the agent never reads it (`OPENSSL_INIT_NO_LOAD_CONFIG`), so the verdicts
    /// stay. (Before, every license was `bad-signature`: "no public key".)
    @Test(arguments: [["status", "--json"], ["check", "--json"]])
    func systemOpenSSLConfigurationChangesNoVerdict(arguments: [String]) throws {
        let device = try Self.device()
        let configuration = try device.directory.write("hostile-openssl.cnf", """
            openssl_conf = openssl_init
            [openssl_init]
            providers = provider_sect
            [provider_sect]
            null = null_sect
            [null_sect]
            activate = 1
            """)
        let result = try ProcessRunner.run(
            try Umockdev.commandLine(deviceFile: try Umockdev.fixture("device"), [Umockdev.agent] + arguments + ["--root", device.root]),
            environment: ["OPENSSL_CONF": configuration])
        let licenses = try #require(try result.json()["licenses"] as? [[String: Any]], "\(result)")
        let verdicts = Dictionary(uniqueKeysWithValues: licenses.map { ($0["file"] as! String, $0["verdict"] as! String) })
        #expect(verdicts["PAS-valid.lic"] == "valid", "\(result)")
        #expect(verdicts["other.lic"] == "other-unit")
        #expect(verdicts["tampered.lic"] == "bad-signature")
    }
}
