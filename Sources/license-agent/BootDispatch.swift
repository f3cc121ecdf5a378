import ArgumentParser
import CommandReporting
import LicenseAgent
import LicensePolicy

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The boot invocations — `check` and `status`, with nothing but the global options — run
/// without swift-argument-parser (issue 10, "Start-up").
///
/// The parser's first parse costs about 10 M instructions (a third of `status` on a device
/// without licenses, measured with callgrind): it reflects over every command's property
/// wrappers and looks its types up in the Swift runtime's metadata, and it does that before
/// it can tell `check` from `--help`. The boot check runs at every boot and the desktop
/// waits for it; the argument lists it takes are fixed, so they are recognised here by
/// exact words and sent to the same bodies the parsed commands run.
///
/// Recognised: the word `check` or `status`, and `--json`, `--verbose`, `--root DIR` or
/// `--root=DIR` each at most once, before or after it (CLI.md "Global options"). Anything
/// else — `--help`, `--at`, a repeated option, a `--root` that is not an existing directory
/// (whose message and usage text are the parser's) — goes to the parser unchanged, so help,
/// completion scripts, the man page and every usage error stay the parser's own.
enum BootDispatch {
    enum Command: String {
        case check, status
    }

    struct Invocation: Equatable {
        var command: Command
        var root = "/"
        var json = false
        var verbose = false
    }

    /// The invocation `arguments` (without the program name) spell, when it is a boot one.
    static func invocation(_ arguments: [String]) -> Invocation? {
        var command: Command?
        var root: String?
        var json = false, verbose = false
        var rest = arguments[...]
        while let word = rest.popFirst() {
            switch word {
            case "--json" where !json: json = true
            case "--verbose" where !verbose: verbose = true
            case "--root" where root == nil:
                guard let value = rest.popFirst(), !value.isEmpty, !value.hasPrefix("-") else { return nil }
                root = value
            case _ where word.hasPrefix("--root=") && root == nil:
                let value = String(word.dropFirst("--root=".count))
                guard !value.isEmpty else { return nil }
                root = value
            case "check" where command == nil, "status" where command == nil:
                command = Command(rawValue: word)
            default:
                return nil
            }
        }
        guard let command else { return nil }
        return Invocation(command: command, root: root ?? "/", json: json, verbose: verbose)
    }

    /// Runs a boot invocation and exits with its status; returns (having done nothing) when
    /// `arguments` are not one, or when `--root` does not name a directory (the parser then
    /// reports that usage error in its own words). The root is the bytes the shell passed,
    /// as `GlobalOptions` takes it.
    static func runIfBootInvocation(_ arguments: [String]) {
        guard let invocation = invocation(arguments) else { return }
        let root = CommandLineBytes.option("--root", invocation.root)
        guard DeviceLayout.isExistingDirectory(root), let layout = try? DeviceLayout(rootBytes: root) else { return }
        // What `GlobalOptions.validate()` does after parsing.
        AgentLog.configure(verbose: invocation.verbose, journal: JournalStream.standardError.isJournal)
        do {
            switch invocation.command {
            case .check: try CheckCommand.run(layout: layout, json: invocation.json)
            case .status: try StatusCommand.run(layout: layout, json: invocation.json, at: nil)
            }
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            // `runReporting` lets only `ExitCode` through; anything else is the parser's to print.
            LicenseAgentCommand.exit(withError: error)
        }
        exit(0)
    }
}
