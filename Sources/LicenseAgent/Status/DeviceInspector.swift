import LicensePlatform
import LicensePolicy

/// Builds the `DeviceReport`: reads the device tree, verifies every installed license, and
/// applies trusted time, products and entitlements. Read-only: it changes nothing on disk
/// (persisting the trusted-time mark is `check`'s job).
///
/// It answers whatever is broken around the licenses (CLI.md "The boot check never leaves
/// the device without an answer"): a missing keyring, partition or unit ID is a named
/// warning; an unreadable settings or state file, a license file that cannot be read, or a
/// unit-ID source that fails, is a problem listed in the report — never a verdict or a
/// warning that would read as an answer (CLI.md "An error reading is never a verdict"). Only
/// a license directory that cannot be listed, or a keyring that cannot be read, stops it.
public struct DeviceInspector {
    public let layout: DeviceLayout
    /// The raw clock; injectable so that tests of the core need no `faketime`.
    public let clock: Timestamp

    public init(layout: DeviceLayout, clock: Timestamp = SystemClock.now()) {
        self.layout = layout
        self.clock = clock
    }

    /// The report for trusted time's day, or for `day` when given (`status --at`), which
    /// must not be earlier than trusted time: the past is not something the agent can vouch for.
    public func inspect(at day: CalendarDay? = nil, verification: LicenseVerification? = nil) throws(AgentError) -> DeviceReport {
        var problems: [AgentError] = []
        var setup: [Warning] = []
        let stored = AgentStateStore(layout: layout).load()
        if let problem = stored.problem { problems.append(problem) }
        let state = stored.state

        let unit = readUnitID(problems: &problems, warnings: &setup)
        if try OpenDirectory.open(layout.licensePartition) == nil {
            setup.append(Warning(code: .licensePartitionMissing,
                                 message: "The license partition \(layout.licensePartition) does not exist, so no license can be read. Check that /license is mounted."))
        }
        let verification = verification ?? LicenseVerification(layout: layout)
        if let warning = verification.trustWarning { setup.append(warning) }
        let examined = try verification.examineInstalled(layout: layout, unreadable: &problems)

        let trusted = TrustedTime(clock: clock, mark: state.mark, buildDate: BuildInfo.buildDate,
                                  newestIssued: LicenseEvaluation.newestIssued(examined))
        if let day, day < trusted.today {
            throw AgentError(.usage, "--at \(day) is before the trusted time \(trusted.value)",
                             remedy: "Give today or a later date")
        }
        let today = day ?? trusted.today
        log.debug("trusted time \(trusted.value): clock \(clock), mark \(state.mark?.description ?? "none"), build \(BuildInfo.buildDate), newest issued \(LicenseEvaluation.newestIssued(examined)?.description ?? "none")")
        let reports = LicenseEvaluation.judge(examined, unit: unit, today: today)
        let products = ProductStatus.summarize(
            reports.filter(\.verdict.isCounted).compactMap(\.document), on: today)
        let configuration = DeviceConfiguration(layout: layout)
        problems += configuration.problems
        let generation = configuration.generation
        let entitlements = Entitlements.evaluate(generation: generation, versionReading: configuration.versionReading,
                                                 products: products, today: today,
                                                 empNotificationsEnabled: configuration.empNotificationsEnabled)
        var warnings = setup
        if let rollback = trusted.warning(clock: clock) { warnings.append(rollback) }
        if let changed = UnitChange.warning(remembered: state.rememberedUnit, current: unit, licenses: reports) {
            warnings.append(changed)
        }
        if let reboot = DeliveryState(layout: layout).rebootWarning() { warnings.append(reboot) }
        if let writable = PendingRemount(layout: layout).warning() { warnings.append(writable) }
        warnings += entitlements.warnings
        return DeviceReport(unit: unit, generation: generation, clock: clock, trustedTime: trusted,
                            today: today, licenses: reports, products: products, entitlements: entitlements,
                            warnings: warnings, problems: problems)
    }

    /// The unit ID, or nil with the warning that says why. When reading failed (sysfs, the
    /// mount table), nil with the failure as a problem and no `unit-id-missing`: the device may
    /// well have a unit ID, and advice to connect a network adapter would be wrong.
    private func readUnitID(problems: inout [AgentError], warnings: inout [Warning]) -> UnitID? {
        do {
            let selection = try UnitIDReader(layout: layout).read()
            log.debug("unit ID \(selection.unitID?.value ?? "none") (\(selection.candidates.count) candidates)")
            if let unit = selection.unitID { return unit }
            warnings.append(Warning(code: .unitIdMissing, message: selection.noUnitIDError.sentence))
        } catch {
            problems.append(error.reported(as: error.code, "The unit ID could not be read: \(error.summary)", remedy: """
                No license can match this device until it can be read; the kernel log names the fault
                """))
        }
        return nil
    }
}
