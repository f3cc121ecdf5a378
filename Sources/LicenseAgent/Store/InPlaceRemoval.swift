import FoundationEssentials
import LicensePlatform
import LicensePolicy
import SystemPackage

/// Removing licenses from a `/license` that is full to the last block (CLI.md "A full
/// `/license` never blocks a removal").
///
/// A change normally builds the new set in a staging directory, which needs a block. A
/// change that only removes needs none: when the staging directory cannot be made for lack
/// of space, the doomed files are unlinked where they are. All or nothing is kept by a
/// record, `/wfs/license-agent/removal-pending`, written before the first unlink and removed
/// after the last: a writer killed in between leaves it, and the next command that takes the
/// writer lock finishes the removal.
extension LicenseStore {
    /// What the record holds: the names to remove, as hex bytes (names are bytes).
    struct PendingRemoval: Codable {
        var schemaVersion = 1
        var names: [String]
    }

    /// The record's name in the state directory, `/wfs/license-agent`.
    static let pendingRemovalName: FileName = "removal-pending"

    static func pendingRemovalPath(_ layout: DeviceLayout) -> String { layout.stateDirectory + "/removal-pending" }

    /// True for the failure that `makeDirectory` reports on a full filesystem.
    static func isNoSpace(_ error: AgentError) -> Bool {
        if case .errno(let number, _)? = error.cause, number == Errno.noSpace.rawValue { return true }
        return false
    }

    /// Unlinks `doomed` from `live` under the record; returns the names removed.
    func removeInPlace(_ doomed: [FileName], from live: OpenDirectory) throws(AgentError) -> [FileName] {
        let hexDigits = Array("0123456789abcdef")
        let record = PendingRemoval(names: doomed.map { name in
            String(name.bytes.flatMap { [hexDigits[Int($0 >> 4)], hexDigits[Int($0 & 0xF)]] })
        })
        let state = try OpenDirectory.create(layout.stateDirectory, mode: 0o700)
        try state.replace(Self.pendingRemovalName, with: JSONOutput.encode(record), mode: 0o600)
        log.notice("/license is full: removing \(doomed.count) license(s) in place")
        for name in doomed { try live.removeFile(name) }
        try live.synchronize()
        try state.removeFileDurably(Self.pendingRemovalName)
        return doomed
    }

    /// Finishes a removal in place that an earlier command began: done first by every command
    /// that takes the writer lock. A record that cannot be read is kept and logged.
    func finishPendingRemoval() {
        let path = Self.pendingRemovalPath(layout)
        guard let state = (try? OpenDirectory.open(layout.stateDirectory)) ?? nil,
              state.size(of: Self.pendingRemovalName) != nil else { return }
        do throws(AgentError) {
            guard let bytes = try state.read(Self.pendingRemovalName, limit: 1 << 20),
                  let record = try? JSONDecoder().decode(PendingRemoval.self, from: Data(bytes)) else {
                throw AgentError(.invalidData, "The record of a removal in progress cannot be read", path: path)
            }
            let names = record.names.map { hex in
                FileName(bytes: stride(from: 0, to: hex.count - 1, by: 2).compactMap { offset -> UInt8? in
                    let start = hex.index(hex.startIndex, offsetBy: offset)
                    return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)
                })
            }
            try withWritablePartition { () throws(AgentError) in
                guard let partition = try OpenDirectory.open(layout.licensePartition),
                      let live = try partition.directory("dsa")?.directory(LicenseStore.licensesName) else { return }
                for name in names { try live.removeFile(name) }
                try live.synchronize()
            }
            try state.removeFileDurably(Self.pendingRemovalName)
            log.notice("finished removing \(names.count) license(s) that an earlier command began to remove")
        } catch {
            log.warning("A removal of licenses that an earlier command began could not be finished: \(error.sentence)")
        }
    }
}
