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
/// without swift-argument-parser (DECISIONS.md, "Boot invocations skip the argument parser").
///
/// The parser's first parse is a large share of a short command: it reflects over every
/// command's property wrappers and looks its types up in the Swift runtime's metadata, and it
/// does that before it can tell `check` from `--help` (the figures are in
/// `Benchmarks/README.md`). The boot check runs at every boot and the desktop waits for it;
/// the argument lists it takes are fixed, so they are recognised here by exact words and
/// sent to the same bodies the parsed commands run.
///
/// Recognised: the word `check` or `status`, and each global option (`GlobalOption`: `--json`,
/// `--verbose`, `--root DIR` or `--root=DIR`) at most once, before or after it (CLI.md "Global
/// options"). Anything else — `--help`, `--at`, a repeated option, a `--root` that is not an
/// existing directory (whose message and usage text are the parser's) — goes to the parser
/// unchanged, so help, completion scripts, the man page and every usage error stay the
/// parser's own.
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
        // An array, not a `Set`: a `Set` of this type costs a runtime conformance lookup at
        // every boot, and there are only a few options.
        var given: [GlobalOption] = []
        var invocation = Invocation(command: .check)
        var rest = arguments[...]
        while let word = rest.popFirst() {
            guard let spelling = GlobalOption.spelling(of: word) else {
                guard command == nil, let boot = Command(rawValue: word) else { return nil }
                command = boot
                continue
            }
            let option: GlobalOption, value: String?
            switch spelling {
            case .flag(let flag):
                (option, value) = (flag, nil)
            case .valueFollows(let named):
                guard let next = rest.popFirst(), !next.isEmpty, !next.hasPrefix("-") else { return nil }
                (option, value) = (named, next)
            case .joined(let named, let joined):
                guard !joined.isEmpty else { return nil }
                (option, value) = (named, joined)
            }
            guard !given.contains(option) else { return nil }
            given.append(option)
            switch option {
            case .root: invocation.root = value ?? "/"
            case .json: invocation.json = true
            case .verbose: invocation.verbose = true
            }
        }
        guard let command else { return nil }
        invocation.command = command
        return invocation
    }

    /// Runs a boot invocation and exits with its status; returns (having done nothing) when
    /// `arguments` are not one, or when `--root` does not name a directory (the parser then
    /// reports that usage error in its own words). The root is the bytes of its argument, as
    /// `GlobalOptions` takes it.
    static func runIfBootInvocation(_ arguments: [String]) {
        guard let invocation = invocation(arguments) else { return }
        let root = CommandLineBytes.bytes(invocation.root)
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
            LicenseAgentCommand.exit(reporting: error)
        }
        exit(0)
    }
}
