import LicensePolicy

// The status document, the published answer and the agent state, written by hand
// (`JSONWritable`): these are encoded at every boot. Keys go in `JSONEncoder`'s sorted order,
// the UTF-8 bytes of their names; values as their `Encodable` conformance has them (enums as
// raw values, days as `YYYY-MM-DD`, `@ExplicitNull` as `null`, a nil plain optional left
// out). `StatusDocumentEncodingTests` holds every type to `JSONEncoder`'s bytes.

extension StatusDocument: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("agentVersion"); json.string(agentVersion)
        json.key("clockRollbackDetected"); json.bool(clockRollbackDetected)
        json.key("configuration"); configuration.write(to: &json)
        json.key("errors"); json.array(errors) { $1.write(to: &$0) }
        json.key("features"); features.write(to: &json)
        json.key("licensed"); json.bool(licensed)
        json.key("licenses"); json.array(licenses) { $1.write(to: &$0) }
        json.key("osGeneration"); json.integer(osGeneration)
        json.key("products"); json.array(products) { $1.write(to: &$0) }
        json.key("removalProfile")
        if let removalProfile { removalProfile.write(to: &json) } else { json.null() }
        json.key("schemaVersion"); json.integer(schemaVersion)
        json.key("trustedTime"); json.string(trustedTime)
        json.key("unitId"); json.stringOrNull(unitId)
        json.key("unitSource"); json.stringOrNull(unitSource?.rawValue)
        json.key("warnings"); json.array(warnings) { $1.write(to: &$0) }
        json.endObject()
    }
}

extension StatusDocument.License: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("detail"); json.string(detail)
        json.key("expires"); json.stringOrNull(expires?.description)
        json.key("file"); json.string(file)
        json.key("licenseId"); json.stringOrNull(licenseId)
        json.key("model"); json.stringOrNull(model?.rawValue)
        json.key("packId"); json.stringOrNull(packId)
        json.key("product"); json.stringOrNull(product)
        json.key("starts"); json.stringOrNull(starts?.description)
        json.key("verdict"); json.string(verdict.rawValue)
        json.endObject()
    }
}

extension StatusDocument.Product: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("continuedUntil"); json.stringOrNull(continuedUntil?.description)
        json.key("daysLeft")
        if let daysLeft { json.integer(daysLeft) } else { json.null() }
        json.key("expires"); json.string(expires.description)
        json.key("model"); json.string(model.rawValue)
        json.key("product"); json.string(product)
        json.key("starts"); json.string(starts.description)
        json.key("state"); json.string(state.rawValue)
        json.endObject()
    }
}

extension StatusDocument.ErrorEntry: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("code"); json.string(code)
        json.key("message"); json.string(message)
        json.key("path"); json.stringOrNull(path)
        json.endObject()
    }
}

extension StatusDocument.Unanswered: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("agentVersion"); json.string(agentVersion)
        json.key("errors"); json.array(errors) { $1.write(to: &$0) }
        json.key("licensed"); json.bool(licensed)
        json.key("schemaVersion"); json.integer(schemaVersion)
        json.endObject()
    }
}

extension FeatureMap: JSONWritable {
    /// As `JSONEncoder` has it (its object is a `Dictionary`): a feature named twice, or
    /// under a canonically equal name, keeps its first spelling and its last decision.
    public func write(to json: inout JSONWriter) {
        // Positions in `decisions`, as arrays of `Int`: an array of another element type
        // would cost the runtime a metadata look-up at its first use.
        var first: [Int] = []
        var last: [Int] = []
        for (index, decision) in decisions.enumerated() {
            if let known = first.firstIndex(where: { decisions[$0].feature == decision.feature }) {
                last[known] = index
            } else {
                first.append(index)
                last.append(index)
            }
        }
        var order = Array(first.indices)
        order.sort { decisions[first[$0]].feature.utf8.lexicographicallyPrecedes(decisions[first[$1]].feature.utf8) }
        json.beginObject()
        for position in order {
            json.key(decisions[first[position]].feature)
            json.bool(decisions[last[position]].allowed)
        }
        json.endObject()
    }
}

extension RemovalProfileSummary: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("detail"); json.stringOrNull(detail)
        json.key("name"); json.string(name)
        json.key("selector"); json.string(selector)
        json.key("state"); json.string(state)
        json.key("wouldRemove"); json.strings(wouldRemove)
        json.endObject()
    }
}

extension ConfigurationState: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("frozen"); json.bool(frozen)
        json.key("pasExpired"); json.stringOrNull(pasExpired?.description)
        json.key("since"); json.stringOrNull(since?.description)
        json.key("snapshotDigest"); json.stringOrNull(snapshotDigest)
        json.key("snapshotRecordedAt"); json.stringOrNull(snapshotRecordedAt)
        json.key("snapshotSource"); json.stringOrNull(snapshotSource?.rawValue)
        json.endObject()
    }
}

extension Warning: JSONWritable {
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("code"); json.string(code.rawValue)
        json.key("message"); json.string(message)
        json.key("product"); json.stringOrNull(product)
        json.endObject()
    }
}

extension AgentState: JSONWritable {
    /// The synthesized conformance leaves a nil optional out rather than writing `null`.
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.key("schemaVersion"); json.integer(schemaVersion)
        if let trustedTimeMark { json.key("trustedTimeMark"); json.string(trustedTimeMark) }
        if let unitId { json.key("unitId"); json.string(unitId) }
        json.endObject()
    }
}
