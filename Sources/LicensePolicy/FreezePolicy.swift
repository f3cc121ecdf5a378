/// The marker of a frozen configuration, `/wfs/license-agent/frozen/marker.json`.
///
/// Written after the snapshot, so its presence is the commit point of a freeze: a marker
/// always has its snapshot. `digest` is the SHA-256 of the snapshot (nil when there was no
/// settings file to freeze), so a restore can prove it puts back exactly what was frozen.
public struct FreezeMarker: Sendable, Equatable, Codable {
    public var schemaVersion: Int = 1
    /// The day the configuration froze, `YYYY-MM-DD`.
    public var since: String
    /// When the freezing `check` ran (trusted time), RFC 3339.
    public var frozenAt: String
    /// The expiry day of the PAS whose expiry froze the configuration, `YYYY-MM-DD`.
    public var pasExpired: String
    /// Lowercase hex SHA-256 of the snapshot; nil when no settings file existed.
    public var digest: String?

    public init(frozenAt: Timestamp, pasExpired: CalendarDay, digest: String?) {
        since = frozenAt.day.description
        self.frozenAt = frozenAt.description
        self.pasExpired = pasExpired.description
        self.digest = digest
    }

    public var sinceDay: CalendarDay? { CalendarDay(parsing: since) }
    public var pasExpiredDay: CalendarDay? { CalendarDay(parsing: pasExpired) }
}

/// Whether `check` must freeze, keep, restore or thaw the device settings
/// (ENTITLEMENTS.md "Frozen configuration"). Pure: the file work is `ConfigurationGuard`'s.
///
/// Only IGEL OS 12 freezes, and only for an expired PAS: "the settings will be kept as they
/// were defined before the license expired". An active PAS thaws. A PAS that is gone or not
/// yet valid changes nothing: removing the expired license must not lift the freeze, and a
/// renewal lifts it on its start day, when it becomes active.
public enum FreezePolicy {
    public enum Action: Sendable, Equatable {
        /// Take a snapshot and write the marker (the PAS expired on this day).
        case freeze(pasExpired: CalendarDay)
        /// Frozen, and the settings file is still the snapshot.
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
    ///   - settingsDigest: SHA-256 of the settings file now, nil when it does not exist.
    public static func decide(generation: OSGeneration, pas: ProductStatus?, marker: FreezeMarker?,
                              settingsDigest: String?) -> Action {
        let pasExpired = pas.flatMap { $0.state == .expired ? $0.expires : nil }
        let freezes = generation == .os12 && pasExpired != nil
        guard let marker else {
            if freezes, let pasExpired { return .freeze(pasExpired: pasExpired) }
            return .nothing
        }
        // An OS 11 device never freezes (configuration changes stay allowed after expiry),
        // so a marker left from an OS 12 setting thaws like a renewal.
        if generation != .os12 || pas?.isActive == true { return .thaw }
        return marker.digest == settingsDigest ? .keep : .restore
    }
}
