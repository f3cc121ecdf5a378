import FoundationEssentials
import LicensePolicy
import Testing

/// The edges of the frozen configuration that are not the freeze itself (ENTITLEMENTS.md
/// "Frozen configuration" 1 and 4): what `config snapshot` may record, and which removal
/// profile may run while frozen. Pure decisions, as data.
@Suite struct FreezeEdgesPolicyTests {
    static let now = Timestamp(day: Fixture.day("2027-01-02"))
    static let profileA = ProfileAssignment(file: "RemoveAllEnterpriseManagementPackLicenses.profile", sha256: "aa")
    static let profileAEdited = ProfileAssignment(file: "RemoveAllEnterpriseManagementPackLicenses.profile", sha256: "bb")
    static let profileB = ProfileAssignment(file: "RemoveAllLocalLicenses.profile", sha256: "aa")

    static func marker(assigned: [ProfileAssignment]?) -> FreezeMarker {
        FreezeMarker(frozenAt: now, pasExpired: Fixture.day("2026-12-31"), digest: "cc", assignedProfiles: assigned)
    }

    static func pas(_ state: ProductStatus.State, expires: String = "2026-12-31",
                    model: LicenseDocument.Model = .subscription, daysLeft: Int? = nil) -> ProductStatus {
        ProductStatus(product: "PAS", state: state, model: model, starts: Fixture.day("2026-01-01"),
                      expires: Fixture.day(expires), daysLeft: daysLeft)
    }

    // MARK: config snapshot

    struct SnapshotCase: Sendable, CustomTestStringConvertible {
        let name: String
        let generation: OSGeneration
        let pas: ProductStatus?
        let frozen: Bool
        let matches: Bool
        let expected: FreezePolicy.SnapshotDecision
        let exit: Int32
        var testDescription: String { name }
    }

    static let snapshotCases: [SnapshotCase] = [
        SnapshotCase(name: "the PAS's last day (expiring, 0 days left)", generation: .os12,
                     pas: pas(.expiring, daysLeft: 0), frozen: false, matches: true, expected: .record, exit: 0),
        SnapshotCase(name: "an active PAS", generation: .os12, pas: pas(.active, expires: "2027-12-31", daysLeft: 300),
                     frozen: false, matches: true, expected: .record, exit: 0),
        SnapshotCase(name: "the day after expiry, before the freezing check", generation: .os12, pas: pas(.expired),
                     frozen: false, matches: true, expected: .freezeDue(pasExpired: Fixture.day("2026-12-31")), exit: 2),
        SnapshotCase(name: "frozen, the settings as frozen", generation: .os12, pas: pas(.expired),
                     frozen: true, matches: true, expected: .frozenUnchanged, exit: 0),
        SnapshotCase(name: "frozen, the settings changed", generation: .os12, pas: pas(.expired),
                     frozen: true, matches: false, expected: .frozenChanged, exit: 2),
        SnapshotCase(name: "frozen, a renewal active (the next check thaws)", generation: .os12,
                     pas: pas(.active, expires: "2027-12-31", daysLeft: 300), frozen: true, matches: false,
                     expected: .record, exit: 0),
        SnapshotCase(name: "frozen, the PAS license removed", generation: .os12, pas: nil,
                     frozen: true, matches: false, expected: .frozenChanged, exit: 2),
        SnapshotCase(name: "an ended evaluation PAS", generation: .os12, pas: pas(.expired, model: .evaluation),
                     frozen: false, matches: true, expected: .nothingToRecord, exit: 0),
        SnapshotCase(name: "a PAS not yet valid", generation: .os12, pas: pas(.notYetValid, expires: "2027-12-31"),
                     frozen: false, matches: true, expected: .nothingToRecord, exit: 0),
        SnapshotCase(name: "no PAS", generation: .os12, pas: nil, frozen: false, matches: true,
                     expected: .nothingToRecord, exit: 0),
        SnapshotCase(name: "IGEL OS 11 with an active PAS", generation: .os11, pas: pas(.active, expires: "2027-12-31", daysLeft: 300),
                     frozen: false, matches: true, expected: .nothingToRecord, exit: 0),
        SnapshotCase(name: "IGEL OS 11 with a marker left from OS 12", generation: .os11, pas: pas(.expired),
                     frozen: true, matches: false, expected: .nothingToRecord, exit: 0),
    ]

    @Test(arguments: snapshotCases)
    func snapshotDecision(_ item: SnapshotCase) {
        let decision = FreezePolicy.snapshot(generation: item.generation, pas: item.pas,
                                             marker: item.frozen ? Self.marker(assigned: []) : nil,
                                             settingsMatchSnapshot: item.matches)
        #expect(decision == item.expected)
        #expect(decision.exitStatus == item.exit)
    }

    /// `config snapshot` records exactly when `check` and `config apply` would.
    @Test(arguments: snapshotCases.filter { !$0.frozen })
    func snapshotRecordsWhereTheLastGoodConfigurationIsRecorded(_ item: SnapshotCase) {
        let records = FreezePolicy.recordsLastGood(generation: item.generation, pas: item.pas)
        #expect((item.expected == .record) == records)
    }

    // MARK: The freeze and today's licenses

    @Test(arguments: [
        (OSGeneration.os12, ProductStatus.State?.some(.expired), true),
        (.os12, .some(.notYetValid), true),
        (.os12, nil, true),
        (.os12, .some(.active), false),
        (.os12, .some(.expiring), false),
        (.os11, .some(.expired), false),
        (.os11, nil, false),
    ])
    func freezeHolds(generation: OSGeneration, state: ProductStatus.State?, holds: Bool) {
        #expect(FreezePolicy.freezeHolds(generation: generation, pas: state.map { Self.pas($0) }) == holds)
    }

    // MARK: The assigned removal profile

    struct ProfileCase: Sendable, CustomTestStringConvertible {
        let name: String
        let assigned: ProfileAssignment
        let marker: FreezeMarker?
        let freezeHolds: Bool?
        let runs: Bool
        var testDescription: String { name }
    }

    static let profileCases: [ProfileCase] = [
        ProfileCase(name: "not frozen", assigned: profileB, marker: nil, freezeHolds: nil, runs: true),
        ProfileCase(name: "assigned before the freeze", assigned: profileA, marker: marker(assigned: [profileA]),
                    freezeHolds: true, runs: true),
        ProfileCase(name: "assigned after the freeze", assigned: profileB, marker: marker(assigned: [profileA]),
                    freezeHolds: true, runs: false),
        ProfileCase(name: "edited after the freeze (same name, other bytes)", assigned: profileAEdited,
                    marker: marker(assigned: [profileA]), freezeHolds: true, runs: false),
        ProfileCase(name: "nothing was assigned at the freeze", assigned: profileA, marker: marker(assigned: []),
                    freezeHolds: true, runs: false),
        ProfileCase(name: "today's licenses unknown: the marker decides", assigned: profileB,
                    marker: marker(assigned: [profileA]), freezeHolds: nil, runs: false),
        ProfileCase(name: "today's licenses unknown, assigned before", assigned: profileA,
                    marker: marker(assigned: [profileA]), freezeHolds: nil, runs: true),
        ProfileCase(name: "a renewal lifted the freeze", assigned: profileB, marker: marker(assigned: [profileA]),
                    freezeHolds: false, runs: true),
        ProfileCase(name: "a marker from before assignments were recorded", assigned: profileB,
                    marker: marker(assigned: nil), freezeHolds: true, runs: true),
    ]

    @Test(arguments: profileCases)
    func profileMayRun(_ item: ProfileCase) {
        #expect(FreezePolicy.profileMayRun(item.assigned, marker: item.marker, freezeHolds: item.freezeHolds) == item.runs)
    }

    /// A marker written before the assignment was recorded reads as "unknown" (nil), not as
    /// "nothing assigned"; a new marker keeps its list.
    @Test func markerAssignmentsRoundTripAndOldMarkersReadAsUnknown() throws {
        let old = #"{"schemaVersion":1,"since":"2026-12-31","frozenAt":"2027-01-02T00:00:00Z","pasExpired":"2026-12-31","digest":"cc"}"#
        let decoded = try JSONDecoder().decode(FreezeMarker.self, from: Data(old.utf8))
        #expect(decoded.assignedProfiles == nil)
        let written = Self.marker(assigned: [Self.profileA])
        let again = try JSONDecoder().decode(FreezeMarker.self, from: JSONEncoder().encode(written))
        #expect(again == written)
        #expect(again.assignedProfiles == [Self.profileA])
        #expect(FreezeMarker(frozenAt: Self.now, pasExpired: Fixture.day("2026-12-31"), digest: nil).assignedProfiles == [],
                "a freeze that records nothing assigned lets no later profile run")
    }
}
