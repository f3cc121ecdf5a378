import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// Loads and saves `AgentState` in `/wfs/license-agent/state.json`.
///
/// A missing state is empty (a new device). An unreadable or corrupt one is also treated as
/// empty — the agent then only loses the rollback and unit-change warnings until the next
/// `check` — but it is reported, and `save` keeps the corrupt file as `state.json.corrupt`
/// instead of overwriting it.
public struct AgentStateStore {
    public let layout: DeviceLayout

    public init(layout: DeviceLayout) { self.layout = layout }

    /// The state, and what was wrong with the file when it could not be used.
    public func load() -> (state: AgentState, problem: AgentError?) {
        do throws(AgentError) {
            guard let bytes = try DurableFile.read(layout.agentState, limit: 1 << 20) else { return (AgentState(), nil) }
            let corrupt = { (why: String) in
                AgentError(.invalidData, "The agent state is corrupt; the trusted-time mark and the remembered unit ID start afresh",
                           path: layout.agentState, cause: .text(why))
            }
            let state: AgentState
            do {
                state = try JSONDecoder().decode(AgentState.self, from: Data(bytes))
            } catch {
                throw corrupt(String(String(describing: error).prefix(200)))
            }
            if let mark = state.trustedTimeMark, state.mark == nil {
                throw corrupt("the trusted-time mark \(DisplayText.escaping(String(mark.prefix(64)))) is not an RFC 3339 UTC time")
            }
            return (state, nil)
        } catch {
            return (AgentState(), error)
        }
    }

    /// Saves `state`; a corrupt file found by `load` is first kept aside. Creates
    /// `/wfs/license-agent` when needed, never `/wfs` itself.
    public func save(_ state: AgentState, replacingCorrupt corrupt: Bool = false) throws(AgentError) {
        try DurableFile.makeDirectory(layout.stateDirectory, mode: 0o700)
        if corrupt, DurableFile.size(of: layout.agentState) != nil {
            try DurableFile.rename(layout.agentState, to: layout.agentState + ".corrupt")
        }
        try DurableFile.write(JSONOutput.encode(state), to: layout.agentState)
    }
}
