import FoundationEssentials
@testable import LicenseAgent
import LicensePolicy
import Testing

/// The per-license entry of `status --json` is encoded by hand (issue 10: it is the one output
/// value written once per license). Its bytes must be exactly those of the synthesized form it
/// replaced, for every verdict, every model, with and without a document, and for names and
/// details that need escaping — compact and pretty.
@Suite struct StatusDocumentEncodingTests {
    /// The entry as it was before issue 10, synthesized through `@ExplicitNull`: the reference.
    struct SynthesizedLicense: Encodable {
        let file: String
        let verdict: Verdict
        @ExplicitNull var licenseId: String?
        @ExplicitNull var product: String?
        @ExplicitNull var model: LicenseDocument.Model?
        @ExplicitNull var packId: String?
        @ExplicitNull var starts: CalendarDay?
        @ExplicitNull var expires: CalendarDay?
        let detail: String

        /// The same values, encoded the synthesized way.
        static func of(_ entry: StatusDocument.License) -> SynthesizedLicense {
            SynthesizedLicense(file: entry.file, verdict: entry.verdict, licenseId: entry.licenseId,
                               product: entry.product, model: entry.model, packId: entry.packId,
                               starts: entry.starts, expires: entry.expires, detail: entry.detail)
        }
    }

    static let names: [FileName] = [
        "PAS-1.lic", FileName(bytes: Array("PAS-caf".utf8) + [0xE9] + Array(".lic".utf8)), "Lizenz-e\u{301}.lic",
        "a\"b\\c/d\u{7}\n.lic", "😀 emoji.lic",
    ]

    static func documents() throws -> [LicenseDocument?] {
        try [nil] + LicenseDocument.Model.allCases.enumerated().map { index, model in
            LicenseDocument(
                licenseId: index == 0 ? "L-1" : "L \"quoted\" \\ / \u{1}", issued: try #require(Timestamp(rfc3339: "2026-11-01T08:00:00Z")),
                product: ["PAS", "WE-E", "EMP"][index], model: model, packId: "P/\(index)",
                subscriptionKey: nil, starts: try #require(CalendarDay(parsing: "2026-01-0\(index + 1)")),
                expires: try #require(CalendarDay(parsing: "2035-12-31")), units: [])
        }
    }

    @Test func handWrittenEntryHasTheSynthesizedBytes() throws {
        var compared = 0
        for verdict in Verdict.allCases {
            for document in try Self.documents() {
                for (index, file) in Self.names.enumerated() {
                    let report = LicenseEvaluation.Report(
                        file: file, verdict: verdict, document: document,
                        detail: ["", "signature verified", "tab\there \u{0}nul ünïcödé"][index % 3])
                    for pretty in [false, true] {
                        let entry = StatusDocument.License(report)
                        let written = JSONOutput.encode(entry, pretty: pretty)
                        let synthesized = JSONOutput.encode(SynthesizedLicense.of(entry), pretty: pretty)
                        #expect(written == synthesized, "\(String(decoding: written, as: UTF8.self))")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == Verdict.allCases.count * 4 * Self.names.count * 2)
    }
}

/// Every type of the boot's output written by hand (`JSONWritable`) has exactly the bytes
/// `JSONEncoder` gives it — sorted keys, no escaped slashes, the same escapes of control
/// characters and the same raw bytes for everything else — over documents made from a fixed
/// seed with hostile strings in every field that holds one.
@Suite struct HandWrittenJSONTests {
    static let seed: UInt64 = 0x1CE0_2026_1205_0021
    static let documents = 400

    /// Strings where encoders differ: every control character, quotes, backslashes, slashes,
    /// DEL, U+2028/2029, a BOM, combining and non-BMP characters, and names that sort apart
    /// by bytes, by case or by digit.
    static let hostile: [String] = [
        "", "plain", "\"quoted\"", "back\\slash\\", "a/b//c</script>", "\u{7F}", "\u{2028}\u{2029}", "\u{FEFF}bom",
        "😀 𝄞 non-BMP", "caf\u{E9} cafe\u{301}", "Z-a_b.c", "item10 item9", "\\u0041 \\n", "tab\there\r\nline",
        String((0..<32).map { Character(Unicode.Scalar(UInt8($0))) }), "\u{0}nul", "\u{85}\u{A0}",
    ]

    /// SplitMix64; a class, so that a choice may be made inside another's closure.
    final class Entropy {
        var state: UInt64
        init(state: UInt64) { self.state = state }
        func below(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
        func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
        func string() -> String { below(4) == 0 ? "ordinary \(below(1000))" : pick(HandWrittenJSONTests.hostile) }
        func maybe<T>(_ make: () -> T) -> T? { below(3) == 0 ? nil : make() }
        func day() -> CalendarDay { CalendarDay(parsing: "20\(10 + below(30))-0\(1 + below(9))-1\(below(10))")! }
    }

    /// The document as it was before it was written out: synthesized, through `@ExplicitNull`.
    struct SynthesizedDocument: Encodable {
        let schemaVersion: Int
        let agentVersion: String
        @ExplicitNull var unitId: String?
        @ExplicitNull var unitSource: UnitID.Source?
        let osGeneration: Int
        let trustedTime: String
        let clockRollbackDetected: Bool
        let licensed: Bool
        let licenses: [StatusDocument.License]
        let products: [StatusDocument.Product]
        let features: FeatureMap
        let warnings: [Warning]
        let configuration: ConfigurationState
        @ExplicitNull var removalProfile: RemovalProfileSummary?
        let errors: [StatusDocument.ErrorEntry]

        static func of(_ document: StatusDocument) -> SynthesizedDocument {
            SynthesizedDocument(
                schemaVersion: document.schemaVersion, agentVersion: document.agentVersion, unitId: document.unitId,
                unitSource: document.unitSource, osGeneration: document.osGeneration, trustedTime: document.trustedTime,
                clockRollbackDetected: document.clockRollbackDetected, licensed: document.licensed,
                licenses: document.licenses, products: document.products, features: document.features,
                warnings: document.warnings, configuration: document.configuration,
                removalProfile: document.removalProfile, errors: document.errors)
        }
    }

    static func expectSameBytes<Value: JSONWritable>(_ value: Value, _ label: String = "") {
        let written = JSONOutput.encode(value)
        let encoded = JSONOutput.encodeWithFoundation(value, pretty: false)
        #expect(written == encoded, "\(label) \(String(decoding: written, as: UTF8.self).debugDescription)")
    }

    static func document(_ entropy: Entropy) throws -> StatusDocument {
        let today = entropy.day()
        let reports = (0..<entropy.below(4)).map { _ in
            LicenseEvaluation.Report(
                file: entropy.below(3) == 0 ? FileName(bytes: Array(entropy.string().utf8) + [0xFF]) : FileName(entropy.string()),
                verdict: entropy.pick(Verdict.allCases),
                document: entropy.below(3) == 0 ? nil : LicenseDocument(
                    licenseId: entropy.string(), issued: Timestamp(day: today), product: entropy.string(),
                    model: entropy.pick(LicenseDocument.Model.allCases), packId: entropy.string(), subscriptionKey: nil,
                    starts: entropy.day(), expires: entropy.day(), units: []),
                detail: entropy.string())
        }
        let products = (0..<entropy.below(4)).map { _ in
            ProductStatus(product: entropy.string(), state: entropy.pick([.active, .expiring, .expired, .notYetValid]),
                          model: entropy.pick(LicenseDocument.Model.allCases), starts: entropy.day(), expires: entropy.day(),
                          daysLeft: entropy.maybe { entropy.below(800) - 400 }, continuedUntil: entropy.maybe { entropy.day() })
        }
        let generation = entropy.pick([OSGeneration.os11, .os12])
        let entitlements = Entitlements.evaluate(generation: generation, products: products, today: today,
                                                 empNotificationsEnabled: entropy.below(2) == 0)
        let unit = entropy.maybe { UnitID(entropy.pick(["00E0C51C5087", "#POCKET-\(entropy.below(99))", "#A\"B\\C/D"])) } ?? nil
        let report = DeviceReport(
            unit: unit, generation: generation, clock: Timestamp(day: today),
            trustedTime: TrustedTime(clock: Timestamp(day: today), mark: entropy.maybe { Timestamp(day: entropy.day()) },
                                     buildDate: Timestamp(day: today), newestIssued: nil),
            today: today, licenses: reports, products: products, entitlements: entitlements, warnings: [], problems: [])
        let configuration: ConfigurationState = switch entropy.below(3) {
        case 0: .notFrozen
        case 1: ConfigurationState(frozen: true, since: entropy.maybe { entropy.day() }, snapshotDigest: entropy.maybe { entropy.string() },
                                   pasExpired: entropy.maybe { entropy.day() }, action: .keep)
        default: ConfigurationState(marker: FreezeMarker(frozenAt: Timestamp(day: today), pasExpired: entropy.day(),
                                                         digest: entropy.maybe { entropy.string() },
                                                         source: entropy.pick([.found, .lastGood]),
                                                         recordedAt: entropy.maybe { Timestamp(day: entropy.day()) }),
                                    action: .restore)
        }
        let profile = entropy.maybe {
            RemovalProfileSummary(name: entropy.string(), selector: entropy.string(), state: entropy.string(),
                                  wouldRemove: (0..<entropy.below(3)).map { _ in entropy.string() }, detail: entropy.maybe { entropy.string() })
        }
        let warnings = (0..<entropy.below(4)).map { _ in
            Warning(code: entropy.pick([.expiring, .clockRollback, .unitChanged, .checkIncomplete]),
                    product: entropy.maybe { entropy.string() }, message: entropy.string())
        }
        let errors = (0..<entropy.below(3)).map { _ in
            AgentError(entropy.pick([.io, .invalidData, .noUnitID]), entropy.string(), path: entropy.maybe { entropy.string() },
                       cause: entropy.maybe { .text(entropy.string()) }, remedy: entropy.maybe { entropy.string() })
        }
        return StatusDocument(report: report, configuration: configuration, removalProfile: profile,
                              warnings: warnings, errors: errors)
    }

    @Test func statusDocumentsHaveTheEncodersBytes() throws {
        let entropy = Entropy(state: Self.seed)
        for index in 0..<Self.documents {
            let document = try Self.document(entropy)
            Self.expectSameBytes(document, "document \(index)")
            for pretty in [false, true] {
                #expect(JSONOutput.encodeWithFoundation(document, pretty: pretty)
                        == JSONOutput.encodeWithFoundation(SynthesizedDocument.of(document), pretty: pretty))
            }
            // Every stored property is in the output: none was added and forgotten.
            let written = String(decoding: JSONOutput.encode(document), as: UTF8.self)
            for case let label? in Mirror(reflecting: document).children.map(\.label) {
                #expect(written.contains("\"\(label)\":"), "\(label) is not written")
            }
            Self.expectSameBytes(StatusDocument.Unanswered(errors: document.errors.isEmpty ? [] : [AgentError(.io, entropy.string())]))
        }
    }

    @Test func agentStatesHaveTheEncodersBytes() {
        let entropy = Entropy(state: Self.seed)
        for _ in 0..<200 {
            var state = AgentState(trustedTimeMark: entropy.maybe { Timestamp(day: entropy.day()) },
                                   unitId: entropy.maybe { UnitID("#X\(entropy.below(9))") } ?? nil)
            if entropy.below(4) == 0 { state.trustedTimeMark = entropy.string() }
            if entropy.below(4) == 0 { state.unitId = entropy.string() }
            Self.expectSameBytes(state)
        }
    }

    /// Feature names are a table's, but the map is written for any: sorted by bytes, a name
    /// given twice (or canonically equal) keeping its first spelling and its last decision.
    @Test func featureMapsHaveTheEncodersBytes() {
        let entropy = Entropy(state: Self.seed)
        for _ in 0..<300 {
            let names = ["connect-ums", "Connect-UMS", "a10", "a9", "caf\u{E9}", "cafe\u{301}", "_x", "-y"] + Self.hostile
            let decisions = (0..<entropy.below(8)).map { _ in
                Entitlements.Decision(feature: entropy.pick(names), allowed: entropy.below(2) == 0, reason: nil)
            }
            Self.expectSameBytes(FeatureMap(decisions), "\(decisions.map(\.feature))")
        }
    }

    /// What `status --json` writes is the hand-written text, not the encoder's.
    @Test func theStatusDocumentTakesTheWriter() throws {
        let entropy = Entropy(state: Self.seed)
        let document = try Self.document(entropy)
        var json = JSONWriter()
        document.write(to: &json)
        #expect(JSONOutput.encode(document) == json.bytes)
        #expect(JSONOutput.encode(document, pretty: true) == JSONOutput.encodeWithFoundation(document, pretty: true))
    }
}
