import FoundationEssentials
import LicensePolicy
import Testing

/// The pure freeze decision: every combination of generation, PAS state and marker.
@Suite struct FreezePolicyTests {
    static let now = Timestamp(day: Fixture.day("2026-11-29"))
    static let marker = FreezeMarker(frozenAt: now, pasExpired: Fixture.day("2026-10-31"), digest: "aaaa")

    static func pas(_ state: ProductStatus.State, expires: String = "2026-10-31",
                    model: LicenseDocument.Model = .subscription) -> ProductStatus {
        ProductStatus(product: "PAS", state: state, model: model, starts: Fixture.day("2025-11-01"),
                      expires: Fixture.day(expires), daysLeft: state == .active ? 100 : nil)
    }

    static func decide(_ pas: ProductStatus?, _ marker: FreezeMarker?, generation: OSGeneration = .os12,
                       matches: Bool = true) -> FreezePolicy.Action {
        FreezePolicy.decide(generation: generation, pas: pas, marker: marker, settingsMatchSnapshot: matches)
    }

    @Test func expiredPASFreezesWithItsExpiryDay() {
        #expect(Self.decide(Self.pas(.expired), nil) == .freeze(pasExpired: Fixture.day("2026-10-31")))
        #expect(Self.decide(Self.pas(.expired), nil, matches: false) == .freeze(pasExpired: Fixture.day("2026-10-31")),
                "not frozen yet: the comparison with a snapshot does not apply")
    }

    @Test(arguments: [ProductStatus.State.active, .expiring, .notYetValid])
    func notExpiredDoesNotFreeze(state: ProductStatus.State) {
        #expect(Self.decide(Self.pas(state), nil) == .nothing)
    }

    @Test func noPASDoesNotFreeze() {
        #expect(Self.decide(nil, nil) == .nothing)
    }

    /// "Evaluations end": an expired evaluation PAS leaves the device unlicensed, with nothing to freeze.
    @Test func expiredEvaluationPASDoesNotFreeze() {
        #expect(Self.decide(Self.pas(.expired, model: .evaluation), nil) == .nothing)
        #expect(Self.decide(Self.pas(.expired, model: .evaluation), Self.marker) == .keep,
                "a freeze from an earlier subscription stays until an active PAS")
    }

    @Test func os11NeverFreezes() {
        #expect(Self.decide(Self.pas(.expired), nil, generation: .os11) == .nothing)
        #expect(Self.decide(Self.pas(.expired), Self.marker, generation: .os11) == .thaw)
    }

    @Test func frozenAndUnchangedKeeps() {
        #expect(Self.decide(Self.pas(.expired), Self.marker, matches: true) == .keep)
    }

    @Test func frozenAndChangedRestores() {
        #expect(Self.decide(Self.pas(.expired), Self.marker, matches: false) == .restore)
    }

    @Test(arguments: [ProductStatus.State.active, .expiring])
    func activePASThaws(state: ProductStatus.State) {
        #expect(Self.decide(Self.pas(state, expires: "2027-10-31"), Self.marker, matches: false) == .thaw)
    }

    @Test func removedOrPendingPASKeepsTheFreeze() {
        #expect(Self.decide(nil, Self.marker) == .keep)
        #expect(Self.decide(nil, Self.marker, matches: false) == .restore)
        #expect(Self.decide(Self.pas(.notYetValid, expires: "2027-12-31"), Self.marker) == .keep)
    }

    @Test func lastGoodIsRecordedOnOS12WhileThePASIsActive() {
        #expect(FreezePolicy.recordsLastGood(generation: .os12, pas: Self.pas(.active, expires: "2027-10-31")))
        #expect(FreezePolicy.recordsLastGood(generation: .os12, pas: Self.pas(.expiring, expires: "2026-12-10")))
        #expect(!FreezePolicy.recordsLastGood(generation: .os12, pas: Self.pas(.expired)))
        #expect(!FreezePolicy.recordsLastGood(generation: .os12, pas: Self.pas(.notYetValid, expires: "2027-12-31")))
        #expect(!FreezePolicy.recordsLastGood(generation: .os12, pas: nil))
        #expect(!FreezePolicy.recordsLastGood(generation: .os11, pas: Self.pas(.active, expires: "2027-10-31")),
                "OS 11 never freezes, so it keeps no last good configuration")
    }

    /// The freeze is dated from the PAS's expiry day, whenever the freezing check runs.
    @Test func markerIsDatedFromTheExpiryDay() {
        let marker = FreezeMarker(frozenAt: Timestamp(rfc3339: "2026-11-29T07:30:00Z")!,
                                  pasExpired: Fixture.day("2026-10-31"), digest: nil, source: .lastGood,
                                  recordedAt: Timestamp(rfc3339: "2026-10-30T06:00:00Z")!)
        #expect(marker.since == "2026-10-31")
        #expect(marker.sinceDay == Fixture.day("2026-10-31"))
        #expect(marker.pasExpiredDay == Fixture.day("2026-10-31"))
        #expect(marker.frozenAt == "2026-11-29T07:30:00Z")
        #expect(marker.source == .lastGood)
        #expect(marker.snapshotRecordedAt == "2026-10-30T06:00:00Z")
    }

    @Test func markerFromBeforeTheLastGoodConfigurationReadsAsFound() throws {
        let old = #"{"schemaVersion":1,"since":"2026-11-29","frozenAt":"2026-11-29T07:30:00Z","pasExpired":"2026-10-31","digest":null}"#
        let marker = try JSONDecoder().decode(FreezeMarker.self, from: Data(old.utf8))
        #expect(marker.source == .found)
        #expect(marker.snapshotRecordedAt == nil)
    }
}
