import LicensePolicy

/// The license information `report` posts to the UMS (DELIVERY.md "License information back to
/// the UMS"), schema version 1: the facts of `status --json` that say what this device holds —
/// unit, board serial, agent version, licensed, OS generation, frozen or not, each product's
/// state, each license file's verdict, the warnings' codes — built from the same `DeviceStatus`.
///
/// Never a secret and nothing that changes by itself: no settings values, no proxy, no
/// certificate, no message or detail text (they carry days left and paths), no `daysLeft`.
/// So the facts (the body without `checkedAt`) change only when the device's licenses do, and
/// their digest tells `--if-changed` whether the UMS already knows them.
public struct ReportDocument: Encodable, Sendable {
    /// One product the device holds a counted license for: `status`'s `products[]`.
    struct Product: Encodable, Sendable {
        let code: String
        let state: String
        let expires: String
        let model: String
    }

    /// One installed license file and its verdict: `status`'s `licenses[]`.
    struct License: Encodable, Sendable {
        let file: String
        let verdict: String
        @ExplicitNull var licenseId: String?
        @ExplicitNull var packId: String?
        @ExplicitNull var product: String?
        @ExplicitNull var expires: String?
    }

    let schemaVersion = 1
    let unitId: String
    @ExplicitNull var hardwareSerial: String?
    let agentVersion = BuildInfo.version
    /// The trusted time the facts were judged at (`status`'s `trustedTime`); nil (left out)
    /// in the facts whose digest is recorded.
    let checkedAt: String?
    let licensed: Bool
    let osGeneration: Int
    let configurationFrozen: Bool
    let products: [Product]
    let licenses: [License]
    let warnings: [String]

    /// The body for `status` of the device with unit ID `unit` and board serial `hardwareSerial`.
    public init(status: DeviceStatus, unit: UnitID, hardwareSerial: String?) {
        let report = status.report
        unitId = unit.value
        self.hardwareSerial = hardwareSerial
        checkedAt = report.trustedTime.value.description
        licensed = report.licensed
        osGeneration = report.generation.rawValue
        configurationFrozen = status.configuration.frozen
        products = report.products.map {
            Product(code: $0.product, state: $0.state.rawValue, expires: $0.expires.description, model: $0.model.rawValue)
        }
        licenses = report.licenses.map {
            License(file: $0.file.jsonText, verdict: $0.verdict.rawValue, licenseId: $0.document?.licenseId,
                    packId: $0.document?.packId, product: $0.document?.product,
                    expires: $0.document?.expires.description)
        }
        warnings = status.warnings.map(\.code.rawValue)
    }

    private init(facts document: ReportDocument) {
        unitId = document.unitId
        hardwareSerial = document.hardwareSerial
        checkedAt = nil
        licensed = document.licensed
        osGeneration = document.osGeneration
        configurationFrozen = document.configurationFrozen
        products = document.products
        licenses = document.licenses
        warnings = document.warnings
    }

    /// The body as sent: compact JSON, keys sorted.
    public var body: [UInt8] { JSONOutput.encode(self) }

    /// The body without `checkedAt`: what `--if-changed` compares by its digest.
    public var facts: [UInt8] { JSONOutput.encode(ReportDocument(facts: self)) }
}
