import ArgumentParser
import CommandReporting
import LicenseAgent
import LicensePolicy

/// The options every command takes, before or after the command's name (CLI.md "Global
/// options"), named once. `GlobalOptions` declares them to the parser under these names; the
/// two readers that see the words before the parser does — the boot dispatch and the move of
/// leading options — read their spelling from here. A new global option is a case here and
/// its property in `GlobalOptions` (the compiler then asks the boot dispatch what to do with it).
enum GlobalOption: String, CaseIterable {
    /// `--root DIR`: every device path is resolved under it.
    case root
    /// `--json`: one JSON object on stdout.
    case json
    /// `--verbose`: each step explained on stderr.
    case verbose

    /// The long name, `--root`.
    var name: String { "--" + rawValue }

    /// Whether it takes a value (`--root DIR` or `--root=DIR`) or is a flag.
    var takesValue: Bool {
        switch self {
        case .root: true
        case .json, .verbose: false
        }
    }

    /// How one word spells a global option.
    enum Spelling: Equatable {
        /// A flag: `--json`.
        case flag(GlobalOption)
        /// An option whose value is the next word: `--root`.
        case valueFollows(GlobalOption)
        /// An option with its value in the same word: `--root=DIR`.
        case joined(GlobalOption, value: String)
    }

    /// What `word` spells, or nil when it is no global option.
    static func spelling(of word: String) -> Spelling? {
        for option in allCases {
            if word == option.name { return option.takesValue ? .valueFollows(option) : .flag(option) }
            if option.takesValue, word.hasPrefix(option.name + "=") {
                return .joined(option, value: String(word.dropFirst(option.name.count + 1)))
            }
        }
        return nil
    }

    /// `arguments` with the global options that precede the command moved behind its name
    /// (behind the last word of a nested command: `profiles run`, `config apply`), so that the
    /// parser, which takes them as options of the command, finds them there. Each option is
    /// moved as it is spelled, its value with it; the parser judges them.
    static func movingLeadingOptions(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var rest = arguments[...]
        while let first = rest.first, let spelling = spelling(of: first) {
            if case .valueFollows = spelling {
                guard rest.count >= 2 else { break }
                leading += rest.prefix(2)
                rest = rest.dropFirst(2)
            } else {
                leading.append(first)
                rest = rest.dropFirst()
            }
        }
        guard let name = rest.first, !leading.isEmpty, !name.hasPrefix("-") else { return arguments }
        var words = [name]
        rest = rest.dropFirst()
        var command = LicenseAgentCommand.subcommand(named: name, of: LicenseAgentCommand.self)
        while let nested = command, !nested.configuration.subcommands.isEmpty, let word = rest.first, !word.hasPrefix("-") {
            words.append(word)
            rest = rest.dropFirst()
            command = LicenseAgentCommand.subcommand(named: word, of: nested)
        }
        return words + leading + rest
    }
}

extension LicenseAgentCommand {
    /// The subcommand of `parent` called `name`, from the command tree itself.
    static func subcommand(named name: String, of parent: ParsableCommand.Type) -> ParsableCommand.Type? {
        parent.configuration.subcommands.first { $0._commandName == name }
    }
}

/// Options every subcommand takes (CLI.md "Global options"), named by `GlobalOption`.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong(GlobalOption.root.rawValue),
            help: ArgumentHelp("Resolve every device path under this directory.", valueName: "dir"),
            completion: .directory)
    var root: String = "/"

    @Flag(name: .customLong(GlobalOption.json.rawValue), help: "Print one JSON object on stdout instead of text.")
    var json = false

    @Flag(name: .customLong(GlobalOption.verbose.rawValue), help: "Explain each step on stderr.")
    var verbose = false

    /// `--root` as the bytes the shell passed (`root` spells them losslessly: CLI.md "File
    /// names, output and secrets").
    var rootBytes: [UInt8] { CommandLineBytes.bytes(root) }

    /// The layout under `--root`; `validate()` has made sure it is an existing directory (one
    /// removed since is then looked for under its decoded name, and found missing).
    var layout: DeviceLayout {
        (try? DeviceLayout(rootBytes: rootBytes)) ?? DeviceLayout(root: CommandLineBytes.text(root))
    }

    /// Runs once per process, right after parsing and before the command: sets up `--verbose`
    /// and refuses a `--root` that is not an existing directory (a typo must not become a new
    /// device tree: CLI.md "Setup problems are named").
    mutating func validate() throws {
        AgentLog.configure(verbose: verbose, journal: JournalStream.standardError.isJournal)
        guard DeviceLayout.isExistingDirectory(rootBytes) else {
            throw ValidationError("--root \(DisplayText.escaping(rootBytes)) is not an existing directory.")
        }
    }
}
