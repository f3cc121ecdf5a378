/// The marker of a frozen configuration, `/wfs/license-agent/frozen/marker.json`.
///
/// Written after the snapshot, so its presence is the commit point of a freeze: a marker
/// always has its snapshot. `digest` is the SHA-256 of the snapshot (nil when there was no
/// settings file to freeze), so a restore can prove it puts back exactly what was frozen.
public struct FreezeMarker: Sendable, Equatable, Codable {
    /// Where the frozen snapshot came from.
    public enum SnapshotSource: String, Sendable, Codable {
        /// The last good configuration, recorded while the PAS was active.
        case lastGood = "last-good"
        /// The settings the freezing `check` found: the agent never saw an active PAS here.
        case found
    }

    public var schemaVersion: Int = 1
    /// The day the configuration is frozen from, `YYYY-MM-DD`: the PAS's expiry day.
    public var since: String
    /// When the freezing `check` ran (trusted time), RFC 3339.
    public var frozenAt: String
    /// The expiry day of the PAS whose expiry froze the configuration, `YYYY-MM-DD`.
    public var pasExpired: String
    /// Lowercase hex SHA-256 of the snapshot; nil when no settings file existed.
    public var digest: String?
    /// Where the snapshot came from; nil in markers written before the last good
    /// configuration was kept (they froze what they found).
    public var snapshotSource: SnapshotSource?
    /// When the last good configuration was recorded (RFC 3339), for `last-good` snapshots.
    public var snapshotRecordedAt: String?
    /// The removal profiles assigned when the configuration froze: the assignment is
    /// configuration, so only these run while frozen. Nil in markers written before the
    /// assignment was frozen with the settings (the next `check` records what is assigned).
    public var assignedProfiles: [ProfileAssignment]?

    public init(frozenAt: Timestamp, pasExpired: CalendarDay, digest: String?,
                source: SnapshotSource = .found, recordedAt: Timestamp? = nil,
                assignedProfiles: [ProfileAssignment]? = []) {
        since = pasExpired.description
        self.frozenAt = frozenAt.description
        self.pasExpired = pasExpired.description
        self.digest = digest
        snapshotSource = source
        snapshotRecordedAt = recordedAt?.description
        self.assignedProfiles = assignedProfiles
    }

    public var sinceDay: CalendarDay? { CalendarDay(parsing: since) }
    public var pasExpiredDay: CalendarDay? { CalendarDay(parsing: pasExpired) }
    public var source: SnapshotSource { snapshotSource ?? .found }
}

/// One file in `/wfs/license-profiles/` as a freeze records it (ENTITLEMENTS.md "Frozen
/// configuration" 4: the assigned removal profile is part of the configuration): its name and
/// the SHA-256 of its bytes, so that a profile edited after the freeze counts as assigned after it.
public struct ProfileAssignment: Sendable, Hashable, Codable {
    /// The file name as `FileName.description` shows it (escaped, so distinct names stay distinct).
    public var file: String
    /// Lowercase hex SHA-256 of the file's bytes.
    public var sha256: String

    public init(file: String, sha256: String) {
        self.file = file
        self.sha256 = sha256
    }
}

/// The last good configuration, `/wfs/license-agent/last-good/record.json` beside its copy
/// `last-good/group.ini` (ENTITLEMENTS.md "Frozen configuration" 1): the settings as they
/// were while the PAS was active, which is what a freeze restores.
public struct LastGoodRecord: Sendable, Equatable, Codable {
    public var schemaVersion: Int = 1
    /// When it was recorded (trusted time), RFC 3339.
    public var recordedAt: String
    /// Lowercase hex SHA-256 of the copy; nil when the device had no settings file then.
    public var digest: String?
    /// The expiry day of the active PAS at that moment, `YYYY-MM-DD`.
    public var pasExpires: String

    public init(recordedAt: Timestamp, digest: String?, pasExpires: CalendarDay) {
        self.recordedAt = recordedAt.description
        self.digest = digest
        self.pasExpires = pasExpires.description
    }

    public var recordedTime: Timestamp? { Timestamp(rfc3339: recordedAt) }
}

/// Whether `check` must freeze, keep, restore or thaw the device settings
/// (ENTITLEMENTS.md "Frozen configuration"). Pure: the file work is `ConfigurationGuard`'s.
///
/// Only IGEL OS 12 freezes, and only for an expired PAS that is not an evaluation: "the
/// settings will be kept as they were defined before the license expired", while an ended
/// evaluation leaves the device unlicensed with nothing to keep. An active PAS thaws. A PAS
/// that is gone or not yet valid changes nothing: removing the expired license must not lift
/// the freeze, and a renewal lifts it on its start day, when it becomes active.
public enum FreezePolicy {
    public enum Action: Sendable, Equatable {
        /// Take a snapshot and write the marker (the PAS expired on this day).
        case freeze(pasExpired: CalendarDay)
        /// Frozen, and the settings file still sets what the snapshot sets.
        case keep
        /// Frozen, and the settings file changed behind the agent's back: put the snapshot back.
        case restore
        /// Frozen, and an active PAS is back: remove marker and snapshot.
        case thaw
        /// Not frozen and nothing to freeze.
        case nothing
    }

    /// - Parameters:
    ///   - pas: the PAS product status today, nil when the device has no counted PAS license.
    ///   - marker: the current marker, nil when not frozen.
    ///   - settingsMatchSnapshot: whether the settings file sets what the frozen snapshot sets
    ///     (apart from the delivery keys, `DeliveryKeys`); ignored when not frozen.
    public static func decide(generation: OSGeneration, pas: ProductStatus?, marker: FreezeMarker?,
                              settingsMatchSnapshot: Bool) -> Action {
        guard marker != nil else {
            if generation == .os12, let pas, pas.state == .expired, pas.model != .evaluation {
                return .freeze(pasExpired: pas.expires)
            }
            return .nothing
        }
        guard freezeHolds(generation: generation, pas: pas) else { return .thaw }
        return settingsMatchSnapshot ? .keep : .restore
    }

    /// Whether an existing freeze still holds by today's licenses. An OS 11 device never
    /// freezes (configuration changes stay allowed after expiry), so a marker left from an
    /// OS 12 setting thaws like a renewal; an active PAS thaws.
    public static func freezeHolds(generation: OSGeneration, pas: ProductStatus?) -> Bool {
        generation == .os12 && pas?.isActive != true
    }

    /// Whether the settings are recorded as the last good configuration: on OS 12 while the
    /// PAS is active (also on its last 30 days), by every `check`, `config apply` and
    /// `config snapshot`.
    public static func recordsLastGood(generation: OSGeneration, pas: ProductStatus?) -> Bool {
        generation == .os12 && pas?.isActive == true
    }

    // MARK: The assigned removal profile

    /// Whether the assigned removal profile may run (PROFILES.md "The assignment is
    /// configuration"). Not frozen, or frozen but lifted by today's licenses (`freezeHolds`
    /// false: the next `check` thaws): it runs. While the freeze holds, only a profile that
    /// was assigned, byte for byte, when the configuration froze runs. A marker from before
    /// assignments were recorded (`assignedProfiles` nil) knows of none and lets the assigned
    /// profile run; the next `check` records the assignment.
    /// - Parameter freezeHolds: nil when today's licenses are not known (the marker decides).
    public static func profileMayRun(_ assigned: ProfileAssignment, marker: FreezeMarker?, freezeHolds: Bool?) -> Bool {
        guard let marker, freezeHolds != false, let frozen = marker.assignedProfiles else { return true }
        return frozen.contains(assigned)
    }

    // MARK: `config snapshot`

    /// What `config snapshot` does: it records the settings as the last good configuration,
    /// and never freezes, restores or thaws (those are `check`'s).
    public enum SnapshotDecision: Sendable, Equatable {
        /// The PAS is active on OS 12: record the settings (unless they are recorded already).
        case record
        /// Frozen, and the settings still set what the snapshot sets: nothing to record.
        case frozenUnchanged
        /// Frozen, and the settings changed: not recorded; the next `check` puts the snapshot back.
        case frozenChanged
        /// The PAS expired and no `check` has frozen yet: not recorded; the next `check`
        /// freezes the configuration recorded while the PAS was active.
        case freezeDue(pasExpired: CalendarDay)
        /// Nothing freezes here (OS 11, no PAS, an evaluation, a PAS not yet valid): nothing to record.
        case nothingToRecord

        /// 0 when recorded or nothing needed recording; 2 when a change was not recorded
        /// because of the freeze (CLI.md: 2 is "no", and the configuration is frozen).
        public var exitStatus: Int32 {
            switch self {
            case .record, .frozenUnchanged, .nothingToRecord: 0
            case .frozenChanged, .freezeDue: 2
            }
        }
    }

    /// The same reading of the licenses as `decide`, so that `config snapshot` never records
    /// what the next `check` would revert.
    public static func snapshot(generation: OSGeneration, pas: ProductStatus?, marker: FreezeMarker?,
                                settingsMatchSnapshot: Bool) -> SnapshotDecision {
        switch decide(generation: generation, pas: pas, marker: marker, settingsMatchSnapshot: settingsMatchSnapshot) {
        case .keep: .frozenUnchanged
        case .restore: .frozenChanged
        case .freeze(let pasExpired): .freezeDue(pasExpired: pasExpired)
        case .thaw, .nothing: recordsLastGood(generation: generation, pas: pas) ? .record : .nothingToRecord
        }
    }
}
