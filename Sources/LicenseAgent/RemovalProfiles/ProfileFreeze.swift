import LicensePlatform
import LicensePolicy

/// The assigned removal profile under a frozen configuration (ENTITLEMENTS.md "Frozen
/// configuration" 4, PROFILES.md "The assignment is configuration"): the freeze records what
/// is assigned (`FreezeMarker.assignedProfiles`), and while it holds only those profiles run.
/// A profile assigned after the freeze — a new file, or the same name with other contents —
/// is refused with `profile-frozen`, like two assigned profiles are with `profile-refused`.
extension RemovalProfiles {
    /// What is assigned now, as a freeze records it (`FreezeMarker.assignedProfiles`): every
    /// regular file in `/wfs/license-profiles/` with the SHA-256 of its bytes. A file that
    /// cannot be read is left out, so it may not run while frozen.
    public func assignmentRecord() throws(AgentError) -> [ProfileAssignment] {
        guard let opened = try OpenDirectory.open(layout.assignedProfiles) else { return [] }
        var records: [ProfileAssignment] = []
        for entry in try opened.entries() where !entry.name.hasPrefix(".") {
            guard let bytes = try? opened.readRegularFile(entry.name, limit: RemovalProfile.maximumSize) else { continue }
            records.append(ProfileAssignment(file: entry.name.description, sha256: try Digest.sha256Hex(bytes)))
        }
        return records
    }

    /// Why the frozen configuration stops the assigned profile `record` now; nil when it may
    /// run (`FreezePolicy.profileMayRun`). `report`, when given, says whether today's licenses
    /// still hold the freeze (a renewal lifts it before the next `check` thaws); without it
    /// the marker alone decides. A marker that cannot be read counts as a freeze that knows of
    /// no assignment: the safe reading for a step that deletes licenses.
    func frozenReason(_ record: ProfileAssignment, report: DeviceReport?) -> String? {
        let marker: FreezeMarker
        do {
            guard let read = try ConfigurationGuard(layout: layout).readMarker() else { return nil }
            marker = read
        } catch {
            return "the configuration counts as frozen because its marker cannot be read (\(error.sentence))"
        }
        let holds = report.map { FreezePolicy.freezeHolds(generation: $0.generation, pas: $0.product("PAS")) }
        guard !FreezePolicy.profileMayRun(record, marker: marker, freezeHolds: holds) else { return nil }
        return "\(record.file) was assigned after the configuration froze on \(marker.since) (the PAS license expired on \(marker.pasExpired))"
    }
}

extension RemovalProfileSummary {
    /// The warning `status` and `check` give for an assigned profile that may not run (CLI.md
    /// "The boot check never leaves the device without an answer"): the administrator's to
    /// fix, not a failure of the check. Nil when the profile may run or none is assigned.
    public var warning: Warning? {
        switch state {
        case "refused":
            Warning(code: .profileRefused, message: "The assigned removal profile does not run: \(detail ?? "refused"). Leave exactly one valid profile in /wfs/license-profiles/.")
        case "frozen":
            Warning(code: .profileFrozen, message: "The assigned removal profile \(name) does not run: \(detail ?? "the configuration is frozen"). Import a renewed PAS license to lift the freeze, or remove the profile from /wfs/license-profiles/.")
        default:
            nil
        }
    }
}
