import FoundationEssentials

extension AgentState {
    /// The state in the bytes of `state.json`, exactly as `JSONDecoder` decodes it, which the
    /// boot check reads at every boot: a text the plain JSON reader reads (what the agent
    /// itself writes) is taken from its fields, without the decoder's first-use cost; anything
    /// else — and every refusal, with its wording — comes from `JSONDecoder`.
    /// `AgentStateReadingTests` holds the two to the same state.
    public static func decoding(_ bytes: [UInt8]) throws -> AgentState {
        if String(validating: bytes, as: UTF8.self) != nil, let fields = PlainJSONReader.object(bytes),
           let state = AgentState(plainFields: fields) {
            return state
        }
        return try JSONDecoder().decode(AgentState.self, from: Data(bytes))
    }

    /// The state the synthesized `Decodable` makes of these fields, or nil when it would
    /// refuse them: `schemaVersion` an integer, the two others a string, `null` or absent;
    /// other keys ignored.
    init?(plainFields fields: [String: JSONValue]) {
        guard case .number(let version)? = fields["schemaVersion"], let schemaVersion = Int(exactly: version),
              let trustedTimeMark = Self.optionalString(fields["trustedTimeMark"]),
              let unitId = Self.optionalString(fields["unitId"])
        else { return nil }
        self.init()
        self.schemaVersion = schemaVersion
        self.trustedTimeMark = trustedTimeMark
        self.unitId = unitId
    }

    /// `.some(nil)` for a missing or `null` value, `.some(text)` for a string, nil otherwise.
    private static func optionalString(_ value: JSONValue?) -> String?? {
        switch value {
        case nil, .null?: return .some(nil)
        case .string(let text)?: return .some(text)
        default: return nil
        }
    }
}
