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

    public struct Outcome: Sendable {
        public let report: DeviceReport
        public let document: StatusDocument
    }

    public func run() throws(AgentError) -> Outcome {
        let lock = try WriterLock(path: layout.writerLock, purpose: "check")
        defer { withExtendedLifetime(lock) {} }

        let report = try DeviceInspector(layout: layout, clock: clock).inspect()

        let stateStore = AgentStateStore(layout: layout)
        var state = stateStore.load()
        // The mark only moves forward; the unit is remembered once one was found.
        state = AgentState(trustedTimeMark: max(report.trustedTime.value, state.mark ?? report.trustedTime.value),
                           unitId: report.unit ?? state.rememberedUnit)
        try stateStore.save(state)

        let document = StatusDocument(report: report, configuration: .init(frozen: false, since: nil),
                                      removalProfile: nil)
        try DurableFile.makeDirectories(layout.runtimeDirectory)
        try DurableFile.write(JSONOutput.encode(document), to: layout.runtimeState)
        return Outcome(report: report, document: document)
    }
}
