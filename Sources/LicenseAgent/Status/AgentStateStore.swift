import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// Loads and saves `AgentState` in `/wfs/license-agent/state.json`.
///
/// A missing state is empty (a new device). One that cannot be used is treated as empty for
/// this run — the agent then only loses the rollback and unit-change warnings — and reported;
/// what happens to the file depends on why (CLI.md "State that cannot be read is not
/// replaced"):
/// - it cannot be **read** (an I/O error): it is left in place and not written over, so a
///   passing fault never costs the trusted-time mark;
/// - it was read and does **not parse**: `save` keeps it aside as `state.json.corrupt-TIME`
///   (never overwriting an earlier one) and writes the new state.
public struct AgentStateStore {
    public let layout: DeviceLayout

    public init(layout: DeviceLayout) { self.layout = layout }

    /// What reading the file found.
    enum Reading {
        case absent
        case state(AgentState)
        /// Read, but not a state: why.
        case corrupt(String)
        case unreadable(AgentError)
    }

    /// The file's name in the state directory, `/wfs/license-agent`.
    static let name: FileName = "state.json"

    /// Reads the state in `directory` (the open state directory), or in the state directory
    /// opened now (absent when that does not exist).
    func read(in directory: OpenDirectory? = nil) -> Reading {
        let bytes: [UInt8]
        do throws(AgentError) {
            var opened = directory
            if opened == nil { opened = try OpenDirectory.open(layout.stateDirectory) }
            guard let opened, let read = try opened.read(Self.name, limit: 1 << 20) else { return .absent }
            bytes = read
        } catch {
            return .unreadable(error)
        }
        let state: AgentState
        do {
            state = try AgentState.decoding(bytes)
        } catch {
            return .corrupt(String(String(describing: error).prefix(200)))
        }
        if let mark = state.trustedTimeMark, state.mark == nil {
            return .corrupt("the trusted-time mark \(DisplayText.escaping(String(mark.prefix(64)))) is not an RFC 3339 UTC time")
        }
        return .state(state)
    }

    /// The state, and what was wrong with the file when it could not be used.
    public func load() -> (state: AgentState, problem: AgentError?) {
        switch read() {
        case .absent: return (AgentState(), nil)
        case .state(let state): return (state, nil)
        case .corrupt(let why):
            return (AgentState(), AgentError(.invalidData, "The agent state is corrupt; the trusted-time mark and the remembered unit ID start afresh",
                                             path: layout.agentState, cause: .text(why)))
        case .unreadable(let error):
            return (AgentState(), error.reported(as: error.code, "The agent state cannot be read; it is left as it is and used as absent for now: \(error.summary)"))
        }
    }

    /// Saves `state`, reading the file again first: a state that parses now keeps its mark
    /// (the mark never goes back, also after a passing read fault at `load`); a corrupt one is
    /// kept aside first; one that cannot be read is not written over (the error says so).
    /// Creates `/wfs/license-agent` when needed, never `/wfs` itself.
    public func save(_ state: AgentState) throws(AgentError) {
        let directory = try OpenDirectory.create(layout.stateDirectory, mode: 0o700)
        var state = state
        switch read(in: directory) {
        case .absent:
            break
        case .state(let stored):
            if let kept = stored.mark, state.mark.map({ $0 < kept }) ?? true {
                state.trustedTimeMark = stored.trustedTimeMark
            }
        case .corrupt:
            var aside = Self.name.description + ".corrupt-" + SystemClock.now().description
            while directory.size(of: FileName(aside)) != nil { aside += "+" }
            try directory.renameDurably(Self.name, to: FileName(aside))
        case .unreadable(let error):
            throw error.reported(as: error.code, "The agent state cannot be read, so it is not replaced: \(error.summary)",
                                 remedy: "Check the storage of /wfs; the next check tries again")
        }
        try directory.replace(Self.name, with: JSONOutput.encode(state))
    }
}
