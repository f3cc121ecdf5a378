import LicensePolicy
import Testing

/// The replaced-NIC rule (CLI.md "Unit ID") and who may activate an evaluation (CLI.md `activate`).
@Suite struct UnitChangeTests {
    static let old = UnitID("00E0C51C5087")!
    static let new = UnitID("00E0C5000002")!

    static func report(_ verdict: Verdict, product: String = "PAS", units: [UnitID]) -> LicenseEvaluation.Report {
        let document = LicenseDocument(licenseId: "\(product)-\(verdict.rawValue)", issued: Timestamp(day: Fixture.day("2026-01-01")),
                                       product: product, model: .subscription, packId: "\(product)-X",
                                       starts: Fixture.day("2026-01-01"), expires: Fixture.day("2027-01-01"), units: Set(units))
        return LicenseEvaluation.Report(file: FileName("\(product).lic"), verdict: verdict, document: document, detail: "")
    }

    @Test func warnsUntilALicenseForTheNewUnitIsInstalled() throws {
        let left = [Self.report(.otherUnit, units: [Self.old]), Self.report(.otherUnit, product: "EMP", units: [Self.old])]
        let warning = try #require(UnitChange.warning(remembered: Self.old, current: Self.new, licenses: left))
        #expect(warning.code == .unitChanged)
        #expect(warning.message.contains("from 00E0C51C5087 to 00E0C5000002"))
        #expect(warning.message.contains("2 installed licenses are bound to 00E0C51C5087"))
        #expect(warning.message.contains("unit-id --accept"))
        #expect(UnitChange.unitToRemember(remembered: Self.old, current: Self.new, licenses: left) == Self.old,
                "a check alone does not forget the change")

        let renewed = left + [Self.report(.valid, units: [Self.new])]
        #expect(UnitChange.warning(remembered: Self.old, current: Self.new, licenses: renewed) == nil)
        #expect(UnitChange.unitToRemember(remembered: Self.old, current: Self.new, licenses: renewed) == Self.new)
    }

    @Test func nothingChangedOrNothingKnown() {
        #expect(UnitChange.warning(remembered: Self.old, current: Self.old, licenses: []) == nil)
        #expect(UnitChange.warning(remembered: nil, current: Self.new, licenses: []) == nil)
        #expect(UnitChange.warning(remembered: Self.old, current: nil, licenses: []) == nil)
        #expect(UnitChange.unitToRemember(remembered: nil, current: Self.new, licenses: []) == Self.new)
        #expect(UnitChange.unitToRemember(remembered: Self.old, current: nil, licenses: []) == Self.old)
        let one = [Self.report(.otherUnit, units: [Self.old])]
        #expect(UnitChange.warning(remembered: Self.old, current: Self.new, licenses: one)?.message
                    .contains("1 installed license is bound") == true)
    }
}

@Suite struct ActivationRuleTests {
    static let unit = UnitID("00E0C51C5087")!
    static let none = DeliverySettings(Settings(values: [:]))

    @Test func baseProductsComeFromTheTables() {
        #expect(Set(ActivationRule.baseProducts) == ["PAS", "WE", "WE-E"])
    }

    @Test func aFreshDeviceMayActivate() {
        let emp = UnitChangeTests.report(.valid, product: "EMP", units: [Self.unit])
        let foreign = UnitChangeTests.report(.otherUnit, product: "PAS", units: [UnitID("001122334455")!])
        #expect(ActivationRule.refusal(delivery: Self.none, licenses: [emp, foreign]) == nil)
    }

    @Test(arguments: [("PAS", Verdict.valid), ("PAS", .expired), ("WE", .expired), ("WE-E", .expired), ("WE-E", .notYetValid)])
    func aBaseLicenseInAnyStateRefuses(product: String, verdict: Verdict) throws {
        let reason = try #require(ActivationRule.refusal(
            delivery: Self.none, licenses: [UnitChangeTests.report(verdict, product: product, units: [Self.unit])]))
        #expect(reason.contains("already holds a base license"))
        #expect(reason.contains(product))
    }

    @Test func aRegisteredDeviceIsRefused() throws {
        let registered = DeliverySettings(Settings(parsing: "system.remotemanager.server=https://admin:pw@ums:8443\n"))
        let reason = try #require(ActivationRule.refusal(delivery: registered, licenses: []))
        #expect(reason.contains("registered with the management server https://***@ums:8443"))
    }
}
