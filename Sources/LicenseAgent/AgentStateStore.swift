import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// Loads and saves `AgentState` in `/wfs/license-agent/state.json`.
///
/// A missing or unreadable state is treated as empty: the agent then only loses the
/// rollback and unit-change warnings for one boot, and the next `check` writes it anew.
public struct AgentStateStore {
    public let layout: DeviceLayout

    public init(layout: DeviceLayout) { self.layout = layout }

    public func load() -> AgentState {
        guard let bytes = try? DurableFile.read(layout.agentState, limit: 1 << 20),
              let state = try? JSONDecoder().decode(AgentState.self, from: Data(bytes))
        else { return AgentState() }
        return state
    }

    public func save(_ state: AgentState) throws(AgentError) {
        try DurableFile.makeDirectories(layout.stateDirectory, mode: 0o700)
        try DurableFile.write(JSONOutput.encode(state), to: layout.agentState)
    }
}
