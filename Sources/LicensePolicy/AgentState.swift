/// What the agent remembers across boots in `/wfs/license-agent/state.json`.
///
/// Only facts that cannot be re-derived: the trusted-time high-water mark (so that a clock
/// set back is noticed) and the unit ID seen last (so that a replaced NIC is noticed).
public struct AgentState: Sendable, Equatable, Codable {
    public var schemaVersion: Int = 1
    /// The highest trusted time a `check` has seen, RFC 3339.
    public var trustedTimeMark: String?
    /// The unit ID chosen at the last `check`.
    public var unitId: String?

    public init(trustedTimeMark: Timestamp? = nil, unitId: UnitID? = nil) {
        self.trustedTimeMark = trustedTimeMark?.description
        self.unitId = unitId?.value
    }

    public var mark: Timestamp? { trustedTimeMark.flatMap(Timestamp.init(rfc3339:)) }
    public var rememberedUnit: UnitID? { unitId.flatMap { UnitID($0) } }
}
