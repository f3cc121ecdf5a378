import ArgumentParser
import CommandReporting
import LicenseAgent
import LicensePolicy

/// `unit-id [--all]`: prints the unit ID this device's licenses must name; with `--all`,
/// every candidate (UD Pocket, each network interface) and why it was chosen or skipped.
/// Exit 1 with one sentence on stderr when nothing qualifies. With `--accept`, records the
/// current unit ID as this device's (after a network card was replaced), which ends the
/// `unit-changed` warning.
struct UnitIDCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unit-id",
        abstract: "Print this device's unit ID (MAC address or UD Pocket serial).",
        discussion: """
            After a network card was replaced, status and check warn unit-changed until a license \
            for the new unit ID is installed or --accept records the new one. Exit 0; 1 when no unit ID is found.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(help: "List every candidate and why it was chosen or skipped.")
    var all = false

    @Flag(help: "Record the current unit ID as this device's (after a network card was replaced).")
    var accept = false

    func validate() throws {
        guard !(all && accept) else { throw ValidationError("--all and --accept cannot be combined.") }
    }

    func run() throws {
        try runReporting(json: global.json) {
            if accept {
                let outcome = try UnitIDAcceptance(layout: global.layout).accept()
                if global.json {
                    Console.write(JSONOutput.string(AcceptedUnitID(unitId: outcome.accepted.value, previous: outcome.previous?.value)))
                } else if let previous = outcome.previous, previous != outcome.accepted {
                    Console.write("Accepted \(outcome.accepted) as this device's unit ID (was \(previous)).")
                } else {
                    Console.write("Accepted \(outcome.accepted) as this device's unit ID.")
                }
                return 0
            }
            let selection = try UnitIDReader(layout: global.layout).read()
            if global.json {
                Console.write(JSONOutput.string(UnitIDReport(selection)))
            } else {
                if let unitID = selection.unitID { Console.write(unitID.value) }
                if all {
                    for candidate in selection.candidates {
                        Console.write([candidate.name, candidate.address ?? "-", candidate.reason].joined(separator: "  "))
                    }
                }
            }
            guard selection.unitID != nil else {
                // The JSON answer above already says there is none: one object on stdout.
                guard global.json else { throw selection.noUnitIDError }
                writeToStandardError(selection.noUnitIDError.sentence)
                return selection.noUnitIDError.exitStatus
            }
            return 0
        }
    }
}

/// The `unit-id --accept --json` object (schema version 1).
struct AcceptedUnitID: Encodable {
    let schemaVersion = 1
    let accepted = true
    let unitId: String
    @ExplicitNull var previous: String?
}

/// The `unit-id --json` object (schema version 1).
struct UnitIDReport: Encodable {
    struct Candidate: Encodable {
        let name: String
        @ExplicitNull var address: String?
        let chosen: Bool
        let reason: String
    }

    let schemaVersion = 1
    @ExplicitNull var unitId: String?
    @ExplicitNull var unitSource: String?
    let candidates: [Candidate]

    init(_ selection: UnitIDSelection) {
        unitId = selection.unitID?.value
        unitSource = selection.source?.rawValue
        candidates = selection.candidates.map {
            Candidate(name: $0.name, address: $0.address, chosen: $0.chosen, reason: $0.reason)
        }
    }
}
