import ArgumentParser
import Foundation
@testable import license_agent
import Testing
import TestSupport

/// The global options go before or after every command, nested ones included (CLI.md
/// "Global options"). The commands are read from the command tree itself, so a new command,
/// or a new subcommand of `profiles` or `config`, is tested without a new line here; so are the
/// options, read from `GlobalOption`.
@Suite struct GlobalOptionPlacementTests {
    /// Every command a user can run, as the words that name it (`["config", "apply"]`).
    static let commands: [[String]] = leaves(of: LicenseAgentCommand.self, named: [])

    static func leaves(of command: ParsableCommand.Type, named words: [String]) -> [[String]] {
        let subcommands = command.configuration.subcommands
        guard !subcommands.isEmpty else { return [words] }
        return subcommands.flatMap { leaves(of: $0, named: words + [$0._commandName]) }
    }

    /// Every global option, in each of its spellings, `ROOT` standing for the device's root.
    static let spellings: [[String]] = [
        GlobalOption.allCases.flatMap { $0.takesValue ? [$0.name, "ROOT"] : [$0.name] },
        GlobalOption.allCases.reversed().map { $0.takesValue ? $0.name + "=ROOT" : $0.name },
    ]

    /// `license-agent WORDS` on a fresh device under umockdev, on a frozen clock (so that two
    /// runs log the same times), with the device's root written `ROOT` in what it answers.
    static func agent(_ words: [String]) throws -> Answer {
        let device = try DeviceTree()
        let arguments = words.map { $0.replacingOccurrences(of: "ROOT", with: device.root) }
        let result = try ProcessRunner.run(ProcessRunner.fakeClock("2026-11-29 12:00:00", frozen: true)
                                           + Umockdev.commandLine(deviceFile: try Umockdev.fixture("device"),
                                                                  [Umockdev.agent] + arguments))
        return Answer(status: result.status, stdout: result.stdout.replacingOccurrences(of: device.root, with: "ROOT"),
                      stderr: result.stderr.replacingOccurrences(of: device.root, with: "ROOT"))
    }

    struct Answer: Equatable {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    @Test func theTreeHasNestedCommands() {
        #expect(Self.commands.contains(["status"]))
        #expect(Self.commands.contains(["profiles", "run"]))
        #expect(Self.commands.contains(["config", "apply"]))
    }

    /// Before the command's words and after them, the options are taken alike: the same exit
    /// status, output and errors, and never a complaint about the options themselves (the
    /// command may still refuse for want of its own arguments, in both places the same).
    @Test(arguments: commands, spellings)
    func globalOptionsGoBeforeOrAfterTheCommand(command: [String], options: [String]) throws {
        let before = try Self.agent(options + command)
        let after = try Self.agent(command + options)
        for result in [before, after] {
            for complaint in ["Unknown option", "Unexpected argument", "is not an existing directory", "Missing value"] {
                #expect(!result.stderr.contains(complaint), "\(options + command): \(result)")
            }
        }
        #expect(before == after)
    }

    /// The table the boot dispatch and the move of leading options read names exactly the
    /// options the parser declares, each taking a value or not as the parser has it.
    @Test func theTableIsWhatTheParserDeclares() throws {
        let dump = try #require(try JSONSerialization.jsonObject(with: Data(GlobalOptions._dumpHelp().utf8)) as? [String: Any])
        let arguments = try #require((dump["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        var declared: [String: Bool] = [:]
        for argument in arguments {
            let names = (argument["names"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "long" }
            for name in names.compactMap({ $0["name"] as? String }) where name != "help" {
                declared["--" + name] = argument["kind"] as? String == "option"
            }
        }
        #expect(declared == Dictionary(uniqueKeysWithValues: GlobalOption.allCases.map { ($0.name, $0.takesValue) }))
    }

    /// Leading options move behind the whole command name, however deep it is nested.
    @Test func leadingOptionsMoveBehindTheCommandsWords() {
        for command in Self.commands {
            #expect(GlobalOption.movingLeadingOptions(["--json", "--root", "/r"] + command + ["x"])
                    == command + ["--json", "--root", "/r", "x"], "\(command)")
        }
        #expect(GlobalOption.movingLeadingOptions(["--root=/r", "status"]) == ["status", "--root=/r"])
        #expect(GlobalOption.movingLeadingOptions(["--root"]) == ["--root"])
        #expect(GlobalOption.movingLeadingOptions(["--json", "--at", "x"]) == ["--json", "--at", "x"])
    }
}
