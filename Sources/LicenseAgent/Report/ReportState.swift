import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// The record of the last report the UMS accepted, `/wfs/license-agent/report.json`.
///
/// Written atomically and durably (`OpenDirectory.replace`, as `deploy.json`), and only after a
/// `2xx`: a report that failed leaves the record as it was. A record that is absent, cannot be
/// read or does not parse counts as "never reported": the next `--if-changed` sends, which costs
/// one request, never a wrong answer, and its success writes the record anew.
public struct ReportState: Sendable {
    public let layout: DeviceLayout

    public init(layout: DeviceLayout) { self.layout = layout }

    /// The record's name in the state directory, `/wfs/license-agent`.
    static let recordName: FileName = "report.json"
    /// Far above any record: a bigger file is not one.
    static let recordLimit = 64 << 10

    /// The record as read: there, absent, or present but not usable (and why).
    public enum Reading: Sendable {
        case absent
        case recorded(ReportRecord)
        case unusable(String)

        public var record: ReportRecord? {
            if case .recorded(let record) = self { return record }
            return nil
        }
    }

    /// The record of the last accepted report.
    public func read() -> Reading {
        let shown = layout.path("/wfs/license-agent/report.json")
        let bytes: [UInt8]
        do {
            guard let directory = try OpenDirectory.open(layout.stateDirectory),
                  let read = try directory.read(Self.recordName, limit: Self.recordLimit) else { return .absent }
            bytes = read
        } catch {
            return .unusable("\(shown) cannot be read: \(error.sentence)")
        }
        guard let record = try? JSONDecoder().decode(ReportRecord.self, from: Data(bytes)),
              record.schemaVersion == 1, Timestamp(rfc3339: record.time) != nil else {
            return .unusable("\(shown) is not a report record")
        }
        return .recorded(record)
    }

    /// Records `record` as the last accepted report.
    public func save(_ record: ReportRecord) throws(AgentError) {
        try OpenDirectory.create(layout.stateDirectory, mode: 0o700)
            .replace(Self.recordName, with: JSONOutput.encode(record, pretty: true), mode: 0o600)
    }
}
