import LicensePlatform
import LicensePolicy

/// `check`, the boot-time decision (CLI.md): take the writer lock, run the assigned removal
/// profile, verify everything, persist trusted time and the unit ID, freeze or thaw the
/// configuration, and publish the result in `/run/license-agent/state.json` for the
/// components that start after it.
public struct BootCheck {
    public let layout: DeviceLayout
    public let clock: Timestamp

    public init(layout: DeviceLayout, clock: Timestamp = SystemClock.now()) {
        self.layout = layout
        self.clock = clock
    }

    public func run() throws(AgentError) -> DeviceStatus {
        let lock = try WriterLock(path: layout.writerLock, purpose: "check")
        defer { withExtendedLifetime(lock) {} }

        let profiles = RemovalProfiles(layout: layout, clock: clock)
        var warnings: [Warning] = []
        if case .refused(let reason) = try profiles.runAssigned(lock: lock).outcome {
            warnings.append(Warning(code: .profileRefused, message: "The assigned removal profile did not run: \(reason)"))
        }

        UdevSettling.waitBeforeReadingUnitID()
        let report = try DeviceInspector(layout: layout, clock: clock).inspect()
        log.debug("verified: \(report.licenses.count) file(s), licensed \(report.licensed)")

        let stateStore = AgentStateStore(layout: layout)
        let previous = stateStore.load()
        // The mark only moves forward; the unit is remembered once one was found.
        try stateStore.save(AgentState(
            trustedTimeMark: max(report.trustedTime.value, previous.mark ?? report.trustedTime.value),
            unitId: report.unit ?? previous.rememberedUnit))

        let configuration = try ConfigurationGuard(layout: layout).enforce(
            generation: report.generation, pas: report.product("PAS"), now: report.trustedTime.value)

        log.debug("configuration: \(configuration.frozen ? "frozen" : "not frozen") (\(configuration.action))")
        let status = DeviceStatus(report: report, configuration: configuration,
                                  removalProfile: profiles.summary(of: report), extraWarnings: warnings)
        try DurableFile.makeDirectories(layout.runtimeDirectory)
        try DurableFile.write(JSONOutput.encode(status.document), to: layout.runtimeState)
        return status
    }
}
