import LicensePlatform
import LicensePolicy

/// `unit-id --accept` (CLI.md "Unit ID"): an administrator confirms that the device's current
/// unit ID is its own after a network card was replaced. The remembered ID in the agent state
/// becomes the current one, which ends the `unit-changed` warning; the trusted-time mark and
/// everything else in the state are kept. Under the writer lock, like every state change.
public struct UnitIDAcceptance {
    public let layout: DeviceLayout
    public let clock: Timestamp

    public init(layout: DeviceLayout, clock: Timestamp = SystemClock.now()) {
        self.layout = layout
        self.clock = clock
    }

    /// What was remembered before, and the unit ID remembered now.
    public struct Outcome: Sendable, Equatable {
        public let previous: UnitID?
        public let accepted: UnitID
    }

    /// Records the current unit ID; exits 1 (`no-unit-id`) when the device has none.
    public func accept() throws(AgentError) -> Outcome {
        let unit = try UnitIDReader(layout: layout).requireUnitID()
        return try WriterLock.withLock(layout: layout, purpose: "unit-id --accept") { _ throws(AgentError) in
            let store = AgentStateStore(layout: layout)
            var state = store.load().state
            let previous = state.rememberedUnit
            state.unitId = unit.value
            try store.save(state)
            try AuditLog(layout: layout).append(.init(
                time: clock, action: "unit-id-accept", files: [layout.agentState], outcome: "accepted",
                detail: previous.map { $0 == unit ? "unit ID \(unit) was already remembered" : "remembered unit ID changed from \($0) to \(unit)" }
                    ?? "unit ID \(unit) remembered (none was before)"))
            return Outcome(previous: previous, accepted: unit)
        }
    }
}
