import LicensePolicy
import Testing

/// The pure freeze decision: every combination of generation, PAS state and marker.
@Suite struct FreezePolicyTests {
    static let now = Timestamp(day: Fixture.day("2026-11-29"))
    static let marker = FreezeMarker(frozenAt: now, pasExpired: Fixture.day("2026-10-31"), digest: "aaaa")

    static func pas(_ state: ProductStatus.State, expires: String = "2026-10-31") -> ProductStatus {
        ProductStatus(product: "PAS", state: state, model: .subscription, starts: Fixture.day("2025-11-01"),
                      expires: Fixture.day(expires), daysLeft: state == .active ? 100 : nil)
    }

    static func decide(_ pas: ProductStatus?, _ marker: FreezeMarker?, generation: OSGeneration = .os12,
                       digest: String? = "aaaa") -> FreezePolicy.Action {
        FreezePolicy.decide(generation: generation, pas: pas, marker: marker, settingsDigest: digest)
    }

    @Test func expiredPASFreezesWithItsExpiryDay() {
        #expect(Self.decide(Self.pas(.expired), nil) == .freeze(pasExpired: Fixture.day("2026-10-31")))
        #expect(Self.decide(Self.pas(.expired), nil, digest: nil) == .freeze(pasExpired: Fixture.day("2026-10-31")),
                "a missing settings file freezes as absent")
    }

    @Test(arguments: [ProductStatus.State.active, .expiring, .notYetValid])
    func notExpiredDoesNotFreeze(state: ProductStatus.State) {
        #expect(Self.decide(Self.pas(state), nil) == .nothing)
    }

    @Test func noPASDoesNotFreeze() {
        #expect(Self.decide(nil, nil) == .nothing)
    }

    @Test func os11NeverFreezes() {
        #expect(Self.decide(Self.pas(.expired), nil, generation: .os11) == .nothing)
        #expect(Self.decide(Self.pas(.expired), Self.marker, generation: .os11) == .thaw)
    }

    @Test func frozenAndUnchangedKeeps() {
        #expect(Self.decide(Self.pas(.expired), Self.marker, digest: "aaaa") == .keep)
    }

    @Test func frozenAndChangedRestores() {
        #expect(Self.decide(Self.pas(.expired), Self.marker, digest: "bbbb") == .restore)
        #expect(Self.decide(Self.pas(.expired), Self.marker, digest: nil) == .restore, "a deleted file is a change")
        let absent = FreezeMarker(frozenAt: Self.now, pasExpired: Fixture.day("2026-10-31"), digest: nil)
        #expect(Self.decide(Self.pas(.expired), absent, digest: "cccc") == .restore, "a created file is a change")
        #expect(Self.decide(Self.pas(.expired), absent, digest: nil) == .keep)
    }

    @Test(arguments: [ProductStatus.State.active, .expiring])
    func activePASThaws(state: ProductStatus.State) {
        #expect(Self.decide(Self.pas(state, expires: "2027-10-31"), Self.marker, digest: "bbbb") == .thaw)
    }

    @Test func removedOrPendingPASKeepsTheFreeze() {
        #expect(Self.decide(nil, Self.marker) == .keep)
        #expect(Self.decide(nil, Self.marker, digest: "bbbb") == .restore)
        #expect(Self.decide(Self.pas(.notYetValid, expires: "2027-12-31"), Self.marker) == .keep)
    }

    @Test func markerRecordsDays() {
        let marker = FreezeMarker(frozenAt: Timestamp(rfc3339: "2026-11-29T07:30:00Z")!,
                                  pasExpired: Fixture.day("2026-10-31"), digest: nil)
        #expect(marker.since == "2026-11-29")
        #expect(marker.sinceDay == Fixture.day("2026-11-29"))
        #expect(marker.pasExpiredDay == Fixture.day("2026-10-31"))
        #expect(marker.frozenAt == "2026-11-29T07:30:00Z")
    }
}
