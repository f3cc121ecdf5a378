import LicensePolicy

/// The `status --json` / `check --json` object, schema version 1 (CLI.md). Keys may be
/// added, never renamed: other components script against them.
public struct StatusDocument: Encodable, Sendable {
    public struct License: Encodable, Sendable {
        let file: String
        let verdict: String
        let licenseId: String?
        let product: String?
        let model: String?
        let packId: String?
        let starts: String?
        let expires: String?
        let detail: String

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(file, forKey: .file)
            try container.encode(verdict, forKey: .verdict)
            try container.encode(licenseId, forKey: .licenseId)
            try container.encode(product, forKey: .product)
            try container.encode(model, forKey: .model)
            try container.encode(packId, forKey: .packId)
            try container.encode(starts, forKey: .starts)
            try container.encode(expires, forKey: .expires)
            try container.encode(detail, forKey: .detail)
        }

        enum CodingKeys: String, CodingKey {
            case file, verdict, licenseId, product, model, packId, starts, expires, detail
        }
    }

    public struct Product: Encodable, Sendable {
        let product: String
        let state: String
        let model: String
        let starts: String
        let expires: String
        let daysLeft: Int?

        public func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(product, forKey: .product)
            try container.encode(state, forKey: .state)
            try container.encode(model, forKey: .model)
            try container.encode(starts, forKey: .starts)
            try container.encode(expires, forKey: .expires)
            try container.encode(daysLeft, forKey: .daysLeft)
        }

        enum CodingKeys: String, CodingKey { case product, state, model, starts, expires, daysLeft }
    }

    let schemaVersion = 1
    let unitId: String?
    let unitSource: String?
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

    public init(report: DeviceReport, configuration: ConfigurationState, removalProfile: RemovalProfileSummary?, warnings: [Warning]) {
        unitId = report.unit?.value
        unitSource = report.unit?.source.rawValue
        osGeneration = report.generation.rawValue
        trustedTime = report.trustedTime.value.description
        clockRollbackDetected = report.trustedTime.clockRollbackDetected
        licensed = report.licensed
        licenses = report.licenses.map { license in
            License(file: license.file, verdict: license.verdict.rawValue, licenseId: license.document?.licenseId,
                    product: license.document?.product, model: license.document?.model.rawValue,
                    packId: license.document?.packId, starts: license.document?.starts.description,
                    expires: license.document?.expires.description, detail: license.detail)
        }
        products = report.products.map {
            Product(product: $0.product, state: $0.state.rawValue, model: $0.model.rawValue,
                    starts: $0.starts.description, expires: $0.expires.description, daysLeft: $0.daysLeft)
        }
        features = FeatureMap(report.entitlements.features)
        self.warnings = warnings
        self.configuration = configuration
        self.removalProfile = removalProfile
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encode(unitId, forKey: .unitId)
        try container.encode(unitSource, forKey: .unitSource)
        try container.encode(osGeneration, forKey: .osGeneration)
        try container.encode(trustedTime, forKey: .trustedTime)
        try container.encode(clockRollbackDetected, forKey: .clockRollbackDetected)
        try container.encode(licensed, forKey: .licensed)
        try container.encode(licenses, forKey: .licenses)
        try container.encode(products, forKey: .products)
        try container.encode(features, forKey: .features)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(configuration, forKey: .configuration)
        try container.encode(removalProfile, forKey: .removalProfile)
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, unitId, unitSource, osGeneration, trustedTime, clockRollbackDetected, licensed,
             licenses, products, features, warnings, configuration, removalProfile
    }
}

/// `features` as a JSON object `{name: allowed}` in table order.
public struct FeatureMap: Encodable, Sendable {
    let decisions: [Entitlements.Decision]

    init(_ decisions: [Entitlements.Decision]) { self.decisions = decisions }

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
    public let detail: String?

    public init(name: String, selector: String, state: String, wouldRemove: [String], detail: String?) {
        self.name = name
        self.selector = selector
        self.state = state
        self.wouldRemove = wouldRemove
        self.detail = detail
    }
}
