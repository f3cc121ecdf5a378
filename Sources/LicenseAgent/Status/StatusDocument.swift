import LicensePolicy

/// The `status --json` / `check --json` object, schema version 1 (CLI.md). Keys may be
/// added, never renamed: other components script against them.
public struct StatusDocument: Encodable, Sendable {
    public struct License: Encodable, Sendable {
        let file: String
        let verdict: Verdict
        let licenseId: String?
        let product: String?
        let model: LicenseDocument.Model?
        let packId: String?
        let starts: CalendarDay?
        let expires: CalendarDay?
        let detail: String

        init(_ report: LicenseEvaluation.Report) {
            file = report.file.jsonText
            verdict = report.verdict
            licenseId = report.document?.licenseId
            product = report.document?.product
            model = report.document?.model
            packId = report.document?.packId
            starts = report.document?.starts
            expires = report.document?.expires
            detail = report.detail
        }

        enum CodingKeys: String, CodingKey {
            case file, verdict, licenseId, product, model, packId, starts, expires, detail
        }

        /// Written out: this one is encoded once per license,
        /// and the synthesized form (each value through `@ExplicitNull` and a single-value
        /// container) was a tenth of a signature check per license. Every value
        /// goes in as a `String` or `null`; the bytes are those of the synthesized form
        /// (`StatusDocumentEncodingTests` compares them).
        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(file, forKey: .file)
            try container.encode(verdict.rawValue, forKey: .verdict)
            try container.encodeStringOrNull(licenseId, forKey: .licenseId)
            try container.encodeStringOrNull(product, forKey: .product)
            try container.encodeStringOrNull(model?.rawValue, forKey: .model)
            try container.encodeStringOrNull(packId, forKey: .packId)
            try container.encodeStringOrNull(starts?.description, forKey: .starts)
            try container.encodeStringOrNull(expires?.description, forKey: .expires)
            try container.encode(detail, forKey: .detail)
        }
    }

    public struct Product: Encodable, Sendable {
        let product: String
        let state: ProductStatus.State
        let model: LicenseDocument.Model
        let starts: CalendarDay
        let expires: CalendarDay
        @ExplicitNull var daysLeft: Int?
        /// The last day installed renewals continue the product to (ENTITLEMENTS.md "Renewals");
        /// null when no renewal continues it.
        @ExplicitNull var continuedUntil: CalendarDay?

        init(_ status: ProductStatus) {
            product = status.product
            state = status.state
            model = status.model
            starts = status.starts
            expires = status.expires
            daysLeft = status.daysLeft
            continuedUntil = status.continuedUntil
        }
    }

    /// One failed step (CLI.md "It always publishes"): `{"code","message","path"}`.
    public struct ErrorEntry: Encodable, Sendable {
        let code: String
        let message: String
        @ExplicitNull var path: String?

        public init(_ error: AgentError) {
            code = error.code.rawValue
            message = error.sentence
            path = error.path
        }
    }

    /// What `state.json` holds when the licenses could not even be listed.
    public struct Unanswered: Encodable, Sendable {
        let schemaVersion = 1
        let agentVersion = BuildInfo.version
        let licensed = false
        let errors: [ErrorEntry]

        public init(errors: [AgentError]) { self.errors = errors.map(ErrorEntry.init) }
    }

    let schemaVersion = 1
    let agentVersion = BuildInfo.version
    let unitId: String?
    let unitSource: UnitID.Source?
    let osGeneration: Int
    let trustedTime: String
    let clockRollbackDetected: Bool
    let licensed: Bool
    let licenses: [License]
    let products: [Product]
    let features: FeatureMap
    let warnings: [Warning]
    let configuration: ConfigurationState
    let removalProfile: RemovalProfileSummary?
    let errors: [ErrorEntry]

    public init(report: DeviceReport, configuration: ConfigurationState, removalProfile: RemovalProfileSummary?,
                warnings: [Warning], errors: [AgentError]) {
        unitId = report.unit?.value
        unitSource = report.unit?.source
        osGeneration = report.generation.rawValue
        trustedTime = report.trustedTime.value.description
        clockRollbackDetected = report.trustedTime.clockRollbackDetected
        licensed = report.licensed
        licenses = report.licenses.map(License.init)
        products = report.products.map(Product.init)
        features = FeatureMap(report.entitlements.features)
        self.warnings = warnings
        self.configuration = configuration
        self.removalProfile = removalProfile
        self.errors = errors.map(ErrorEntry.init)
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, agentVersion, unitId, unitSource, osGeneration, trustedTime, clockRollbackDetected,
             licensed, licenses, products, features, warnings, configuration, removalProfile, errors
    }

    /// Written out, with the bytes of the synthesized form with `@ExplicitNull` optionals
    /// (`StatusDocumentEncodingTests` compares them): held as plain optionals, the document
    /// never makes the runtime build `ExplicitNull`'s generic metadata, which it did at every
    /// boot, by name and with a conformance look-up, only to destroy a temporary.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encode(agentVersion, forKey: .agentVersion)
        try container.encodeStringOrNull(unitId, forKey: .unitId)
        try container.encodeStringOrNull(unitSource?.rawValue, forKey: .unitSource)
        try container.encode(osGeneration, forKey: .osGeneration)
        try container.encode(trustedTime, forKey: .trustedTime)
        try container.encode(clockRollbackDetected, forKey: .clockRollbackDetected)
        try container.encode(licensed, forKey: .licensed)
        try container.encode(licenses, forKey: .licenses)
        try container.encode(products, forKey: .products)
        try container.encode(features, forKey: .features)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(configuration, forKey: .configuration)
        if let removalProfile {
            try container.encode(removalProfile, forKey: .removalProfile)
        } else {
            try container.encodeNil(forKey: .removalProfile)
        }
        try container.encode(errors, forKey: .errors)
    }
}

extension KeyedEncodingContainer {
    /// The string, or `null` (not an absent key) when there is none: `@ExplicitNull` by hand.
    mutating func encodeStringOrNull(_ value: String?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

extension FileName {
    /// The name in JSON: as itself when it is UTF-8 (the encoder escapes control characters),
    /// with `\xNN` escapes when it is not.
    public var jsonText: String { utf8Text ?? description }
}

/// `features` as a JSON object `{name: allowed}` in table order.
public struct FeatureMap: Encodable, Sendable {
    let decisions: [Entitlements.Decision]

    public init(_ decisions: [Entitlements.Decision]) { self.decisions = decisions }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for decision in decisions { try container.encode(decision.allowed, forKey: Key(stringValue: decision.feature)) }
    }
}

/// The assigned removal profile as `status` shows it (PROFILES.md).
public struct RemovalProfileSummary: Encodable, Sendable {
    public let name: String
    public let selector: String
    public let state: String
    public let wouldRemove: [String]
    @ExplicitNull public var detail: String?

    public init(name: String, selector: String, state: String, wouldRemove: [String], detail: String?) {
        self.name = name
        self.selector = selector
        self.state = state
        self.wouldRemove = wouldRemove
        self.detail = detail
    }
}
