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

    public init(frozenAt: Timestamp, pasExpired: CalendarDay, digest: String?,
                source: SnapshotSource = .found, recordedAt: Timestamp? = nil) {
        since = pasExpired.description
        self.frozenAt = frozenAt.description
        self.pasExpired = pasExpired.description
        self.digest = digest
        snapshotSource = source
        snapshotRecordedAt = recordedAt?.description
    }

    public var sinceDay: CalendarDay? { CalendarDay(parsing: since) }
    public var pasExpiredDay: CalendarDay? { CalendarDay(parsing: pasExpired) }
    public var source: SnapshotSource { snapshotSource ?? .found }
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
        // An OS 11 device never freezes (configuration changes stay allowed after expiry),
        // so a marker left from an OS 12 setting thaws like a renewal.
        if generation != .os12 || pas?.isActive == true { return .thaw }
        return settingsMatchSnapshot ? .keep : .restore
    }

    /// Whether the settings are recorded as the last good configuration: on OS 12 while the
    /// PAS is active (also on its last 30 days), by every `check` and `config apply`.
    public static func recordsLastGood(generation: OSGeneration, pas: ProductStatus?) -> Bool {
        generation == .os12 && pas?.isActive == true
    }
}
