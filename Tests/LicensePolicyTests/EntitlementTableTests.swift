import LicensePolicy
import Testing

/// Every row of both tables in both states, checked against the tables of ENTITLEMENTS.md
/// copied here independently of the code's rows.
@Suite struct EntitlementTableTests {
    static let today = "2026-11-29"

    static func evaluate(_ generation: OSGeneration, _ licenses: [LicenseDocument], version: String? = nil,
                         empNotifications: Bool = true) -> Entitlements {
        let products = ProductStatus.summarize(licenses, on: Fixture.day(today))
        return Entitlements.evaluate(generation: generation, version: version.flatMap(OSVersion.init),
                                     products: products, today: Fixture.day(today),
                                     empNotificationsEnabled: empNotifications)
    }

    static func allowed(_ entitlements: Entitlements) -> [String: Bool] {
        Dictionary(uniqueKeysWithValues: entitlements.features.map { ($0.feature, $0.allowed) })
    }

    static let activePAS = Fixture.license("PAS", starts: "2026-01-01", expires: "2027-10-31")
    static let expiredPAS = Fixture.license("PAS", starts: "2025-10-01", expires: "2026-09-30")

    // MARK: IGEL OS 12

    /// feature: (PAS active, PAS expired), from ENTITLEMENTS.md "IGEL OS 12".
    static let os12Table: [(String, Bool, Bool)] = [
        ("connect-ums", true, true), ("use-installed-apps", true, true), ("activate-codecs", true, true),
        ("connect-icg", true, false), ("install-apps-locally", true, false), ("update-os-locally", true, false),
        ("deploy-license", true, true), ("shadow", true, true), ("power-control", true, true),
        ("imi", true, true), ("config-changes", true, false), ("trigger-os-update", true, false),
        ("trigger-app-updates", true, false), ("auto-update", true, false), ("onboarding-service", true, true),
    ]

    @Test func os12ListsExactlyTheTableFeaturesInOrder() {
        #expect(Entitlements.featureNames(for: .os12) == Self.os12Table.map(\.0))
        #expect(Self.evaluate(.os12, [Self.activePAS]).features.map(\.feature) == Self.os12Table.map(\.0))
    }

    @Test(arguments: os12Table.map(\.0))
    func os12RowWithPASActiveAndExpired(feature: String) throws {
        let row = try #require(Self.os12Table.first { $0.0 == feature })
        let active = Self.evaluate(.os12, [Self.activePAS])
        let expired = Self.evaluate(.os12, [Self.expiredPAS])
        #expect(active.licensed && expired.licensed)
        let whenActive = try #require(active.decision(for: feature))
        let whenExpired = try #require(expired.decision(for: feature))
        #expect(whenActive.allowed == row.1)
        #expect(whenActive.reason == nil)
        #expect(whenExpired.allowed == row.2)
        if !row.2 {
            let expected = feature == "config-changes"
                ? "PAS expired on 2026-09-30: configuration is frozen" : "PAS expired on 2026-09-30"
            #expect(whenExpired.reason == expected)
        } else {
            #expect(whenExpired.reason == nil)
        }
    }

    @Test func os12WithoutPASIsUnlicensed() {
        let none = Self.evaluate(.os12, [Fixture.license("EMP", starts: "2026-01-01", expires: "2027-01-01")])
        #expect(!none.licensed)
        #expect(none.unlicensedReason == "no PAS license")
        #expect(none.features.filter(\.allowed).map(\.feature).sorted()
                    == ["connect-ums", "deploy-license", "onboarding-service"])
        #expect(none.decision(for: "use-installed-apps")?.reason == "no PAS license")
        #expect(none.features.count == Self.os12Table.count)
    }

    @Test func os12PASStartingTomorrowIsNotYetALicense() {
        let pending = Self.evaluate(.os12, [Fixture.license("PAS", starts: "2026-11-30", expires: "2027-11-29")])
        #expect(!pending.licensed)
        #expect(pending.unlicensedReason == "PAS starts on 2026-11-30")
        #expect(pending.decision(for: "config-changes")?.allowed == false)
        #expect(pending.decision(for: "deploy-license")?.allowed == true)
    }

    @Test func os12PASExpiringTodayStillGrantsEverything() {
        let lastDay = Self.evaluate(.os12, [Fixture.license("PAS", starts: "2025-11-30", expires: Self.today)])
        #expect(lastDay.features.filter { !$0.allowed }.isEmpty)
        let dayAfter = Self.evaluate(.os12, [Fixture.license("PAS", starts: "2025-11-28", expires: "2026-11-28")])
        #expect(dayAfter.decision(for: "config-changes")?.allowed == false)
    }

    // MARK: IGEL OS 11

    /// feature: (granted with every license current, after every license expired), from
    /// ENTITLEMENTS.md "IGEL OS 11"; the limited update counts as allowed (with a limit).
    static let os11Table: [(String, Bool, Bool)] = [
        ("use-os", true, true),
        ("connect-ums", true, true), ("scan-register", true, true), ("deploy-license", true, true),
        ("activate-codecs", true, true), ("power-control", true, true), ("imi", true, true),
        ("shadow", true, true), ("config-changes", true, true), ("remote-config", true, true),
        ("update-firmware-locally", true, true), ("trigger-firmware-update", true, false),
        ("custom-partition", true, false), ("shared-workplace", true, false),
        ("connect-icg", true, false), ("shadow-via-icg", true, false), ("config-via-icg", true, false),
        ("ait", true, false), ("powerterm", true, true), ("smartcard-90meter", true, true),
        ("pcoip-teradici", true, false),
    ]

    static let os11Current = [
        Fixture.license("WE", .perpetual, starts: "2026-01-01", expires: "2027-10-31"),
        Fixture.license("EMP", starts: "2026-01-01", expires: "2027-10-31"),
        Fixture.license("PWT", .perpetual, starts: "2026-01-01", expires: "2027-10-31"),
        Fixture.license("90M", .perpetual, starts: "2026-01-01", expires: "2027-10-31"),
        Fixture.license("TER", starts: "2026-01-01", expires: "2027-10-31"),
    ]
    static let os11Expired = [
        Fixture.license("WE", .perpetual, starts: "2021-08-02", expires: "2022-08-01"),
        Fixture.license("EMP", starts: "2025-11-01", expires: "2026-10-31"),
        Fixture.license("PWT", .perpetual, starts: "2021-01-01", expires: "2022-01-01"),
        Fixture.license("90M", .perpetual, starts: "2021-01-01", expires: "2022-01-01"),
        Fixture.license("TER", starts: "2025-01-01", expires: "2026-01-01"),
    ]

    /// The onboarding service exists on OS 12 only: OS 11 does not list it at all.
    @Test func os11ListsExactlyTheTableFeatures() {
        let names = Self.os11Table.map(\.0)
        #expect(Entitlements.featureNames(for: .os11) == names)
        #expect(Self.evaluate(.os11, Self.os11Current).features.map(\.feature) == names)
        #expect(Self.evaluate(.os11, Self.os11Current).decision(for: "onboarding-service") == nil)
    }

    @Test(arguments: os11Table.map(\.0))
    func os11RowCurrentAndExpired(feature: String) throws {
        let row = try #require(Self.os11Table.first { $0.0 == feature })
        let current = Self.evaluate(.os11, Self.os11Current)
        let expired = Self.evaluate(.os11, Self.os11Expired)
        #expect(current.licensed, "an active WE licenses OS 11")
        #expect(expired.licensed, "a maintenance-expired WE still licenses OS 11")
        #expect(try #require(current.decision(for: feature)).allowed == row.1)
        let after = try #require(expired.decision(for: feature))
        #expect(after.allowed == row.2)
        if !row.2 { #expect(after.reason != nil) }
    }

    @Test func os11DeniedReasonsNameTheExpiredProduct() {
        let expired = Self.evaluate(.os11, Self.os11Expired)
        #expect(expired.decision(for: "ait")?.reason == "EMP expired on 2026-10-31")
        #expect(expired.decision(for: "pcoip-teradici")?.reason == "TER expired on 2026-01-01")
        #expect(expired.decision(for: "custom-partition")?.reason == "WE expired on 2022-08-01")
        let update = expired.decision(for: "update-firmware-locally")
        #expect(update?.releasedBefore == Fixture.day("2022-08-01"))
        #expect(update?.reason == "only releases before 2022-08-01 (WE expired on 2022-08-01)")
        #expect(Self.evaluate(.os11, Self.os11Current).decision(for: "update-firmware-locally")?.releasedBefore == nil)
    }

    @Test func os11AddOnsNeedTheirOwnPack() {
        let weOnly = Self.evaluate(.os11, [Self.os11Current[0]])
        #expect(weOnly.decision(for: "powerterm")?.reason == "no PWT license")
        #expect(weOnly.decision(for: "smartcard-90meter")?.allowed == false)
        #expect(weOnly.decision(for: "shared-workplace")?.reason == "no EMP, WE-E or PAS license")
        #expect(weOnly.decision(for: "update-firmware-locally")?.allowed == true)
    }

    @Test func os11ExpiredNonPerpetualAddOnStops() {
        let evaluationPWT = Fixture.license("PWT", .evaluation, starts: "2026-08-01", expires: "2026-10-30")
        let result = Self.evaluate(.os11, [Self.os11Current[0], evaluationPWT])
        #expect(result.decision(for: "powerterm")?.allowed == false)
        #expect(result.decision(for: "powerterm")?.reason == "PWT evaluation ended on 2026-10-30")
    }

    @Test func os11WithPASOnly() {
        let active = Self.evaluate(.os11, [Self.activePAS])
        #expect(active.licensed)
        for feature in ["update-firmware-locally", "trigger-firmware-update", "custom-partition", "ait", "connect-icg"] {
            #expect(active.decision(for: feature)?.allowed == true, "\(feature)")
        }
        #expect(active.decision(for: "pcoip-teradici")?.allowed == false)
        let expired = Self.evaluate(.os11, [Self.expiredPAS])
        #expect(expired.licensed)
        #expect(expired.decision(for: "config-changes")?.allowed == true, "OS 11 never freezes")
        #expect(expired.decision(for: "connect-icg")?.reason == "PAS expired on 2026-09-30")
        #expect(expired.decision(for: "update-firmware-locally")?.releasedBefore == Fixture.day("2026-09-30"))
    }

    @Test func os11BothManagementPacksExpiredNamesBoth() {
        let result = Self.evaluate(.os11, [Self.os11Current[0], Self.expiredPAS, Self.os11Expired[1]])
        #expect(result.decision(for: "ait")?.reason == "EMP expired on 2026-10-31 and PAS expired on 2026-09-30")
    }

    @Test func os11EvaluationWorkspaceLicensesOnlyWhileActive() {
        let active = Self.evaluate(.os11, [Fixture.license("WE-E", .evaluation, starts: "2026-10-01", expires: "2026-12-29")])
        #expect(active.licensed)
        #expect(active.decision(for: "use-os")?.allowed == true)
        let expired = Self.evaluate(.os11, [Fixture.license("WE-E", .evaluation, starts: "2026-08-01", expires: "2026-10-29")])
        #expect(!expired.licensed)
        #expect(expired.unlicensedReason == "WE-E evaluation ended on 2026-10-29")
        #expect(expired.features.filter(\.allowed).map(\.feature).sorted() == ["connect-ums", "deploy-license"],
                "unlicensed OS 11: no onboarding service")
        #expect(expired.decision(for: "use-os")?.reason == "WE-E evaluation ended on 2026-10-29")
    }

    @Test func os11WithNothingIsUnlicensed() {
        let none = Self.evaluate(.os11, [Fixture.license("UDC3", .perpetual, starts: "2020-01-01", expires: "2030-01-01")])
        #expect(!none.licensed)
        #expect(none.unlicensedReason == "no WE, WE-E or PAS license")
        #expect(none.features.filter(\.allowed).map(\.feature) == ["connect-ums", "deploy-license"])
    }

    @Test func os11ExpiredSubscriptionWorkspaceEditionStillLicenses() {
        // "Use IGEL OS 11 ✓" after the subscription expired: only evaluations end.
        let result = Self.evaluate(.os11, [Fixture.license("WE", .subscription, starts: "2025-01-01", expires: "2026-01-01")])
        #expect(result.licensed)
        #expect(result.decision(for: "use-os")?.allowed == true)
    }

    // MARK: Table shape

    @Test(arguments: OSGeneration.allCases)
    func eachFeatureAppearsInOneRowOnly(generation: OSGeneration) {
        let names = EntitlementTable.table(for: generation).rows.flatMap(\.features)
        #expect(Set(names).count == names.count)
        #expect(EntitlementTable.table(for: generation).generation == generation)
    }

    @Test func unknownFeatureHasNoDecision() {
        #expect(Self.evaluate(.os12, [Self.activePAS]).decision(for: "use-os") == nil)
        #expect(Self.evaluate(.os11, Self.os11Current).decision(for: "update-os-locally") == nil)
    }
}
