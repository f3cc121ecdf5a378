import LicensePolicy
import Testing

/// ENTITLEMENTS.md "Base license" and "IGEL OS 11": a WE sold as the "IGEL OS 11 subscription"
/// keeps the device licensed after expiry ("Use IGEL OS 11 ✓"), every row in its "after
/// expiry" column; only evaluations end, and an ended evaluation advises what can be done.
/// Also LICENSE-FORMAT.md "Product pack types": the pack list agrees with the tables.
@Suite struct OS11SubscriptionAndEvaluationEndTests {
    static let today = "2026-11-29"

    static func evaluate(_ generation: OSGeneration, _ licenses: [LicenseDocument]) -> Entitlements {
        Entitlements.evaluate(generation: generation, version: OSVersion("11.08.100"),
                              products: ProductStatus.summarize(licenses, on: Fixture.day(today)),
                              today: Fixture.day(today), empNotificationsEnabled: true)
    }

    static let expiredSubscriptionWE = Fixture.license("WE", .subscription, starts: "2025-11-01", expires: "2026-10-31")

    /// feature → after expiry of the OS 11 subscription, from ENTITLEMENTS.md "IGEL OS 11"
    /// (copied here independently of the code's rows).
    static let afterExpiry: [(String, Bool)] = [
        ("use-os", true), ("connect-ums", true), ("scan-register", true), ("deploy-license", true),
        ("activate-codecs", true), ("power-control", true), ("imi", true), ("shadow", true),
        ("config-changes", true), ("remote-config", true), ("update-firmware-locally", true),
        ("trigger-firmware-update", false), ("custom-partition", false), ("shared-workplace", false),
        ("connect-icg", false), ("shadow-via-icg", false), ("config-via-icg", false), ("ait", false),
    ]

    @Test(arguments: 0..<afterExpiry.count)
    func anExpiredOS11SubscriptionIsInItsAfterExpiryColumn(index: Int) {
        let (feature, allowed) = Self.afterExpiry[index]
        let result = Self.evaluate(.os11, [Self.expiredSubscriptionWE])
        #expect(result.licensed)
        #expect(result.decision(for: feature)?.allowed == allowed, "\(feature)")
    }

    /// "Only firmware released before the expiry date."
    @Test func firmwareBeforeTheExpiryDate() {
        let result = Self.evaluate(.os11, [Self.expiredSubscriptionWE])
        #expect(result.decision(for: "update-firmware-locally")?.releasedBefore == Fixture.day("2026-10-31"))
        #expect(UpdateRule.decide(result, kind: .os, releaseDate: Fixture.day("2026-10-30")).allowed)
        #expect(!UpdateRule.decide(result, kind: .os, releaseDate: Fixture.day("2026-10-31")).allowed)
    }

    @Test func aWEOfModelEvaluationStillEnds() {
        let result = Self.evaluate(.os11, [Fixture.license("WE", .evaluation, starts: "2026-08-01", expires: "2026-10-29")])
        #expect(!result.licensed)
        #expect(result.unlicensedReason == "WE evaluation ended on 2026-10-29")
    }

    @Test func anExpiredWEEStillEnds() {
        let result = Self.evaluate(.os11, [Fixture.license("WE-E", .evaluation, starts: "2026-08-01", expires: "2026-10-29")])
        #expect(!result.licensed)
        #expect(result.features.filter(\.allowed).map(\.feature) == ["connect-ums", "deploy-license"])
    }

    /// The subscription licenses like an expired PAS on OS 11: the same rows, the same answers.
    @Test func likeAnExpiredPASOnOS11() {
        let viaWE = Self.evaluate(.os11, [Self.expiredSubscriptionWE])
        let viaPAS = Self.evaluate(.os11, [Fixture.license("PAS", starts: "2025-11-01", expires: "2026-10-31")])
        #expect(viaWE.features.map { [$0.feature: $0.allowed] } == viaPAS.features.map { [$0.feature: $0.allowed] })
    }

    // MARK: Evaluations end: the advice

    @Test(arguments: [("WE-E", OSGeneration.os11, "Order a WE or PAS license"), ("PAS", .os12, "Order a PAS license")])
    func anEndedEvaluationSaysWhatCanBeDone(product: String, generation: OSGeneration, order: String) throws {
        let result = Self.evaluate(generation, [Fixture.license(product, .evaluation, starts: "2026-08-01", expires: "2026-10-29")])
        let warning = try #require(result.warnings.first { $0.product == product })
        #expect(warning.code == .expired)
        #expect(warning.message.contains("\(product) evaluation ended on 2026-10-29"))
        #expect(warning.message.contains(order), "\(warning.message)")
        #expect(warning.message.contains("have the UMS deploy it"))
        #expect(warning.message.contains("a second evaluation is not possible on this device"))
        #expect(!warning.message.contains("Import a \(product)"), "\(warning.message)")
        #expect(!warning.message.contains("WE-E license"), "\(warning.message)")
    }

    // MARK: Product pack types

    /// Every pack that grants something in a table comes before the packs that grant nothing,
    /// as the contract lists them; `AIT` and `IMI` are among the granting packs.
    @Test func packListAgreesWithTheTables() {
        let granting = Set(OSGeneration.allCases.flatMap { generation -> [String] in
            let table = EntitlementTable.table(for: generation)
            let rowPacks = table.rows.flatMap { row -> [String] in
                if case .active(let codes) = row.grantedWhile { return codes }
                return []
            }
            return rowPacks + table.baseLicense.grants.map(\.product)
        }).union(["IMI"])  // `imi` hangs on the base license, which every IMI pack needs anyway.
        let grants = ProductPacks.knownCodes.map(granting.contains)
        #expect(grants == grants.sorted { $0 && !$1 }, "\(ProductPacks.knownCodes)")
        #expect(Set(ProductPacks.knownCodes.prefix { granting.contains($0) }) == granting)
        #expect(granting.isSuperset(of: ["AIT", "IMI"]))
    }

    @Test func theAITPackGrantsAITAndNothingAfterExpiry() {
        let active = Self.evaluate(.os11, [Fixture.license("WE", .perpetual, starts: "2026-01-01", expires: "2027-10-31"),
                                           Fixture.license("AIT", starts: "2026-01-01", expires: "2027-10-31")])
        #expect(active.decision(for: "ait")?.allowed == true)
        let expired = Self.evaluate(.os11, [Fixture.license("WE", .perpetual, starts: "2026-01-01", expires: "2027-10-31"),
                                            Fixture.license("AIT", starts: "2025-01-01", expires: "2026-01-01")])
        #expect(expired.decision(for: "ait")?.allowed == false)
        #expect(expired.decision(for: "ait")?.reason == "AIT expired on 2026-01-01")
    }
}
