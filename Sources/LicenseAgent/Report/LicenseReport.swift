import LicensePlatform
import LicensePolicy

/// `license-agent report [--if-changed]` (DELIVERY.md "License information back to the UMS"):
/// tells the device's UMS what licenses it holds, so that the UMS shows it as licensed and
/// "Refresh license information" has something to refresh from.
///
/// The facts are those of `status --json` (`ReportDocument`), posted to
/// `{server}/v1/devices/{unitId}/license-info` with `deploy`'s https trust (the system store
/// plus `system.remotemanager.ums_ca`), proxy and limits. A `2xx` is recorded in
/// `/wfs/license-agent/report.json` (`ReportState`); anything else is an error and changes
/// nothing on the device. `--if-changed` sends only facts the UMS has not had within the day
/// (`ReportRule`).
///
/// No lock: a report changes no license and no setting, its record is replaced atomically, and
/// two reports racing each other both tell the UMS the truth.
public struct LicenseReport {
    public let layout: DeviceLayout
    public let clock: Timestamp

    /// The limit of a report on demand or at boot: `deploy`'s.
    public static let defaultTimeoutSeconds = 30

    public init(layout: DeviceLayout, clock: Timestamp = SystemClock.now()) {
        self.layout = layout
        self.clock = clock
    }

    /// What one run did.
    public struct Outcome: Sendable {
        public let sent: Bool
        /// `ReportRule.Decision`'s raw value, `no-server` or `unit-id-missing`.
        public let reason: String
        /// What happened, in one sentence.
        public let detail: String
        /// The report went through, but its record could not be written.
        public var warnings: [String] = []
        /// 0 sent or nothing to send; 1 when the device has no unit ID to report under.
        public let exitStatus: Int32
    }

    /// Reports once; `ifChanged` applies the rule of `--if-changed`, `timeoutSeconds` limits the
    /// transfer (the best-effort report after a change waits less).
    public func run(ifChanged: Bool, timeoutSeconds: Int = defaultTimeoutSeconds) throws(AgentError) -> Outcome {
        let delivery = DeliverySettings(try UMSConnection(layout: layout).deviceSettings(
            "no license information can be reported", retry: "then run `license-agent report` again"))
        guard let server = delivery.server else {
            return Outcome(sent: false, reason: "no-server",
                           detail: "The device settings name no management server (\(DeliverySettings.serverKey)); nothing to report.",
                           exitStatus: 0)
        }
        let status = try DeviceStatus.current(layout: layout)
        guard let unit = status.report.unit else {
            // A unit ID that could not be read is an error; one that does not exist is the warning's answer.
            guard let missing = status.warnings.first(where: { $0.code == .unitIdMissing }) else {
                throw status.errors.first ?? AgentError(.noUnitID, "The unit ID could not be read")
            }
            return Outcome(sent: false, reason: Warning.Code.unitIdMissing.rawValue,
                           detail: "No license information was sent to the management server (unit-id-missing): \(missing.message)",
                           exitStatus: 1)
        }
        if let first = status.errors.first {
            // An error reading is never a fact: the UMS is not told a set the agent could not see whole.
            throw first.reported(as: first.code, "The license information is incomplete, so nothing was sent to the management server: \(first.summary)")
        }
        let document = ReportDocument(status: status, unit: unit, hardwareSerial: hardwareSerial())
        let digest = try Digest.sha256Hex(document.facts)
        let endpoint = Self.endpoint(server: server, unit: unit)
        let shown = Credentials.redacted(endpoint)
        let state = ReportState(layout: layout)
        let reading = state.read()
        if case .unusable(let why) = reading {
            log.info("\(why): counted as never reported")
        }
        let decision = ReportRule.decide(ifChanged: ifChanged, sha256: digest, endpoint: endpoint,
                                         last: reading.record, now: clock)
        log.info("report to \(shown): \(decision.rawValue) (facts sha256 \(digest))")
        guard decision.sends else {
            return Outcome(sent: false, reason: decision.rawValue,
                           detail: "The management server has had this license information since \(reading.record?.time ?? "earlier") (less than 24 hours); nothing sent.",
                           exitStatus: 0)
        }

        let options = UMSConnection(layout: layout).options(delivery, configuration: DeviceConfiguration(layout: layout),
                                                            timeoutSeconds: timeoutSeconds)
        let response = try post(document.body, to: endpoint, options: options)
        guard let code = response.status, (200..<300).contains(code) else {
            let answered = response.status.map { "HTTP \($0)" } ?? "no HTTP status"
            let said = response.firstBodyLine
            throw AgentError(.network, "The management server answered the license information sent to \(shown) with \(answered)",
                             cause: said.isEmpty ? nil : .text(said),
                             remedy: "Nothing was changed on the device; check system.remotemanager.server and the UMS, then run `license-agent report` again")
        }
        var outcome = Outcome(sent: true, reason: decision.rawValue,
                              detail: "Reported the license information to \(shown) (HTTP \(code)).", exitStatus: 0)
        do {
            try state.save(ReportRecord(sha256: digest, endpoint: endpoint, time: clock))
        } catch {
            outcome.warnings.append("Warning: the management server has the license information, but the record of it could not be written, so the next report sends it again: \(error.sentence)")
        }
        return outcome
    }

    /// The report's one transfer: the body posted as JSON, a failure explained as every
    /// transfer's is (the remedy for the host, and a device clock behind the trusted time).
    private func post(_ body: [UInt8], to endpoint: String, options: NetworkTransfer.Options) throws(AgentError) -> TransferResponse {
        do {
            return try NetworkTransfer().send(url: endpoint, body: body, contentType: "application/json", options: options)
        } catch {
            throw TransferClock(layout: layout, clock: clock).explained(error.withTransferRemedy())
        }
    }

    /// `{server}/v1/devices/{unitId}/license-info`: the server without a trailing `/`, the unit
    /// ID percent-encoded (a UD Pocket's `#` would otherwise start a fragment), as for the poll.
    static func endpoint(server: String, unit: UnitID) -> String {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/v1/devices/" + URLText.percentEncoded(unit.value) + "/license-info"
    }

    /// The board's serial number (`/sys/class/dmi/id/product_serial`), which hardware-bundled
    /// licenses are bound to; nil when absent, unreadable (it is root's only) or a placeholder.
    func hardwareSerial() -> String? {
        let path = layout.path("/sys/class/dmi/id/product_serial")
        guard let bytes = (try? RegularFile.read(path, limit: 4096)) ?? nil else {
            log.info("no board serial number at \(path)")
            return nil
        }
        return ReportRule.hardwareSerial(bytes)
    }
}
