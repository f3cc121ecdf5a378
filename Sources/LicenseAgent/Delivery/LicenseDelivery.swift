import LicensePlatform
import LicensePolicy

/// `license-agent deploy` (DELIVERY.md): license delivery from the management server (UMS).
///
/// The UMS writes a download link into the device settings; the agent downloads it with a
/// conditional request (the recorded `ETag`, else `Last-Modified`, so a boot does not
/// download again), verifies and adds it exactly like `import` without `--replace`, records
/// what it did in `/wfs/license-agent/deploy.json`, and requests the reboot. A registered
/// device without a link that is unlicensed (or whose base license is expiring or expired)
/// asks the UMS for one. Trust for the UMS's https is the system store plus
/// `system.remotemanager.ums_ca`; the proxy is `system.remotemanager.proxy`, else agent.conf's.
///
/// Locks: deploys are serialised among themselves by `/run/license-agent/deploy.lock`, held
/// across the network transfers; the writer lock (which `check` needs) is taken only by the
/// import itself, so a slow UMS never blocks the boot check. The reboot command runs after
/// both are released and `/license` is read-only again.
public struct LicenseDelivery {
    public let layout: DeviceLayout
    public let clock: Timestamp

    /// agent.conf's `reboot_command=` when it is not set.
    public static let defaultRebootCommand = "systemctl reboot"
    /// Protocols a download link may use (DELIVERY.md: https, http or ftp; ftps too).
    static let linkProtocols = "https,http,ftp,ftps"

    public init(layout: DeviceLayout, clock: Timestamp = SystemClock.now()) {
        self.layout = layout
        self.clock = clock
    }

    /// What one run did.
    public struct Outcome: Sendable {
        public enum Step: String, Sendable, Encodable {
            /// No link and no server, or a licensed device without a link.
            case nothingToDo = "nothing-to-do"
            /// The UMS answered the poll with 204.
            case noLicenseYet = "no-license-yet"
            /// The server answered the conditional request with 304.
            case notModified = "not-modified"
            /// The link delivered the same bytes as last time (a server without validators).
            case unchanged
            /// The download went through the import.
            case imported
        }

        public let step: Step
        /// The link used, credentials shown as `***`; nil when none was used.
        public let link: String?
        public let imported: LicenseImport.Outcome?
        /// A new license was installed: the reboot marker is written.
        public let rebootRequired: Bool
        /// The reboot command was run (the prompt setting is not `true`).
        public let rebootRequested: Bool
        /// What happened, in one sentence.
        public let detail: String
        /// Failures after the change stood (the reboot command failed): reported, exit 1.
        public let problems: [String]
        /// Bookkeeping that failed after the license was installed (record, audit line,
        /// marker): reported on stderr; the exit status stays that of the change.
        public var warnings: [String] = []

        /// As `import`: 0 installed or nothing to do, 2 everything refused; 1 when a step after
        /// the installation failed.
        public var exitStatus: Int32 {
            if !problems.isEmpty { return 1 }
            return imported?.exitStatus ?? 0
        }

        func with(rebootRequested: Bool, problems: [String]) -> Outcome {
            var changed = Outcome(step: step, link: link, imported: imported, rebootRequired: rebootRequired,
                                  rebootRequested: rebootRequested, detail: detail, problems: problems)
            changed.warnings = warnings
            return changed
        }
    }

    /// Runs the delivery once. With `onlyWhenUnlicensed` (the hourly timer), a device whose
    /// base license is current does nothing, not even a conditional request.
    public func run(onlyWhenUnlicensed: Bool = false) throws(AgentError) -> Outcome {
        let configuration = DeviceConfiguration(layout: layout)
        let delivery = DeliverySettings(try UMSConnection(layout: layout).deviceSettings(
            "no license can be deployed", retry: "the next run reads it again"))
        let trail = AuditTrail(layout: layout, clock: clock)
        var outcome = try deploy(delivery, configuration: configuration, trail: trail,
                                 onlyWhenUnlicensed: onlyWhenUnlicensed)
        if outcome.rebootRequired {
            // Every lock is released and /license is read-only again: the device may go down now.
            outcome = restart(outcome, askingTheUser: delivery.promptUser, settings: configuration.agentSettings, trail: trail)
        }
        outcome.warnings += trail.warnings
        return outcome
    }

    /// The restart a new license needs (DELIVERY.md step 4). With the prompt setting on (the
    /// device default) the user is asked through agent.conf's `prompt_command=` — exit 0
    /// restarts now, anything else (cancelled, no answer in ten minutes) later — and without
    /// one nobody is asked and nothing restarts. Either way the marker stays, so `status`
    /// warns `reboot-required` until the next boot.
    private func restart(_ outcome: Outcome, askingTheUser: Bool, settings: Settings, trail: AuditTrail) -> Outcome {
        func setting(_ key: String) -> String? { settings[key].flatMap { $0.isEmpty ? nil : $0 } }
        var result = outcome
        if askingTheUser {
            guard let prompt = setting("prompt_command") else {
                trail.line("reboot left to the user", link: outcome.link, detail: "no prompt_command")
                result.warnings.append("A restart is needed to use the new license; the user decides when (no prompt_command= in /etc/license-agent/agent.conf asks now). status shows reboot-required until then.")
                return result
            }
            let reason = "license deployed from \(outcome.link ?? "the management server")"
            let answer: ShellCommand.Termination
            do {
                answer = try ShellCommand.run(prompt, environment: ["LICENSE_AGENT_REASON": reason],
                                              timeout: Self.promptTimeout)
            } catch {
                trail.line("reboot prompt failed", link: outcome.link, detail: error.sentence)
                result.warnings.append("A restart is needed to use the new license, but the user could not be asked: \(error.sentence) status shows reboot-required until the device restarts.")
                return result
            }
            trail.line(answer.succeeded ? "user chose to restart" : "user chose to restart later", link: outcome.link,
                       detail: "`\(prompt)`: \(answer)")
            guard answer.succeeded else {
                result.warnings.append("The user chose to restart later (`\(prompt)`: \(answer)); the new license takes effect at the next boot, and status shows reboot-required until then.")
                return result
            }
        }
        let configured = setting("reboot_command")
        // A device tree under --root is not this machine: its default is never to reboot the host.
        guard configured != nil || layout.root == "/" else {
            result.warnings.append("Not running `\(Self.defaultRebootCommand)`: --root \(layout.root) is a device tree, not this machine. Set reboot_command= in its /etc/license-agent/agent.conf to run a command.")
            return result
        }
        let command = configured ?? Self.defaultRebootCommand
        do {
            let termination = try ShellCommand.run(command)
            trail.line("reboot requested", link: outcome.link, detail: "`\(command)`: \(termination)")
            guard termination.succeeded else {
                return result.with(rebootRequested: true, problems: [
                    "The license is installed, but the reboot command `\(command)` ended with \(termination). Restart the device to use the new license, or fix reboot_command= in /etc/license-agent/agent.conf.",
                ])
            }
            return result.with(rebootRequested: true, problems: [])
        } catch {
            trail.line("reboot failed", link: outcome.link, detail: error.sentence)
            return result.with(rebootRequested: false, problems: [
                "The license is installed, but the reboot could not be requested: \(error.sentence)",
            ])
        }
    }

    /// How long the user has to answer `prompt_command`.
    static let promptTimeout: Duration = .seconds(600)

    /// Everything up to the reboot, under the deploy lock.
    private func deploy(_ delivery: DeliverySettings, configuration: DeviceConfiguration, trail: AuditTrail,
                        onlyWhenUnlicensed: Bool) throws(AgentError) -> Outcome {
        guard delivery.downloadURL != nil || delivery.server != nil else {
            return nothing("The device settings hold no license download link and no management server; nothing to do.")
        }
        return try DeliveryLock.withLock(layout: layout, timeout: .seconds(90)) { () throws(AgentError) in
            try deployUnderLock(delivery, configuration: configuration, trail: trail, onlyWhenUnlicensed: onlyWhenUnlicensed)
        }
    }

    /// The poll and the download, holding the deploy lock (not the writer lock).
    private func deployUnderLock(_ delivery: DeliverySettings, configuration: DeviceConfiguration, trail: AuditTrail,
                                 onlyWhenUnlicensed: Bool) throws(AgentError) -> Outcome {
        let options = UMSConnection(layout: layout).options(delivery, configuration: configuration)

        let inspect = { () throws(AgentError) -> DeviceReport in try DeviceInspector(layout: layout, clock: clock).inspect() }
        if onlyWhenUnlicensed, !Self.wantsLicense(try inspect().entitlements, baseOnly: true) {
            return nothing("The device is licensed and its base license is current; nothing to ask the management server for.")
        }
        if let link = delivery.downloadURL {
            let outcome = try download(link, delivery: delivery, options: options, trail: trail)
            // Unchanged link, base license (or EMP) running out: the UMS may have a renewal
            // that the settings do not point to yet.
            guard outcome.step == .notModified || outcome.step == .unchanged, let server = delivery.server else { return outcome }
            let report = try inspect()
            guard Self.wantsLicense(report.entitlements, baseOnly: false) else { return outcome }
            guard let offered = try ask(server, report: report, options: options, trail: trail), offered != link else {
                return outcome
            }
            return try download(offered, delivery: delivery, options: options, trail: trail)
        }
        guard let server = delivery.server else { return nothing("No license download link; nothing to do.") }
        let report = try inspect()
        guard Self.wantsLicense(report.entitlements, baseOnly: false) else {
            return nothing("The device is licensed and its base license is current; nothing to ask the management server for.")
        }
        guard let offered = try ask(server, report: report, options: options, trail: trail) else {
            return Outcome(step: .noLicenseYet, link: nil, imported: nil, rebootRequired: false, rebootRequested: false,
                           detail: "The management server has no license for \(report.unit?.description ?? "this device") yet; the next run asks again.",
                           problems: [])
        }
        return try download(offered, delivery: delivery, options: options, trail: trail)
    }

    /// True when the device should ask its UMS for a license (DELIVERY.md steps 2–3): it is
    /// unlicensed or its base license is not current, or — unless `baseOnly`, as for the
    /// hourly timer — a watched product (the table's) or EMP, on either generation, needs a
    /// renewal. A product that an installed renewal continues is `active`: it never asks.
    static func wantsLicense(_ entitlements: Entitlements, baseOnly: Bool) -> Bool {
        if !entitlements.baseLicenseCurrent { return true }
        guard !baseOnly else { return false }
        return entitlements.renewalNeeded || entitlements.products.contains { $0.product == "EMP" && $0.needsRenewal }
    }

    /// The poll (DELIVERY.md step 3): the link the UMS offers, or nil when it has none yet.
    /// A device without a unit ID does not ask.
    private func ask(_ server: String, report: DeviceReport, options: NetworkTransfer.Options,
                     trail: AuditTrail) throws(AgentError) -> String? {
        guard let unit = report.unit else { throw try UnitIDReader(layout: layout).read().noUnitIDError }
        let poll = UMSLicensePoll(server: server, unit: unit, options: options)
        let answer: String?
        do { answer = try poll.ask() } catch { throw TransferClock(layout: layout, clock: clock).explained(error.withTransferRemedy()) }
        guard let offered = answer else {
            trail.line("no license yet", link: poll.endpoint, detail: "the UMS answered 204")
            return nil
        }
        trail.line("license offered", link: poll.endpoint, detail: "downloadUrl \(Credentials.redacted(offered))")
        return offered
    }

    /// The conditional download of `link` and the import of what it delivered.
    private func download(_ link: String, delivery: DeliverySettings, options: NetworkTransfer.Options,
                          trail: AuditTrail) throws(AgentError) -> Outcome {
        let shown = Credentials.redacted(link)
        let state = DeliveryState(layout: layout)
        let linkDigest = try Digest.sha256Hex(Array(link.utf8))
        let record = state.record()
        let conditional = record?.conditionalHeaders(forLinkSHA256: linkDigest) ?? []
        let response: TransferResponse
        do {
            response = try NetworkTransfer().get(url: link, headers: conditional, options: options)
        } catch {
            throw TransferClock(layout: layout, clock: clock).explained(error.withTransferRemedy())
        }
        switch response.status {
        case 304? where conditional.isEmpty:
            trail.line("protocol error", link: link, detail: "304 Not Modified to an unconditional request")
            throw AgentError(.network, "The license download from \(shown) failed: the server answered 304 Not Modified to a request that was not conditional",
                             remedy: "Check the management server or the proxy in between; the next run tries again")
        case 304?:
            trail.line("not modified", link: link, detail: "sha256 \(record?.sha256 ?? "unknown"); \(conditional.joined())")
            return Outcome(step: .notModified, link: shown, imported: nil, rebootRequired: false, rebootRequested: false,
                           detail: "The license at \(shown) has not changed since it was \(record?.outcome ?? "handled") (\(record?.time ?? "earlier")); nothing to do.",
                           problems: [])
        case let status? where !(200..<300).contains(status):
            throw AgentError(.network, "The license download from \(shown) failed", cause: .httpStatus(status),
                             remedy: response.firstBodyLine.isEmpty ? "The next run tries again"
                                 : "The server said: \(response.firstBodyLine). The next run tries again")
        default:
            break
        }
        let contentDigest = try Digest.sha256Hex(response.body)
        let etag = DeliveryRecord.validator(response.headers["etag"])
        let lastModified = DeliveryRecord.validator(response.headers["last-modified"])
        if let record, record.delivered(linkSHA256: linkDigest, contentSHA256: contentDigest) {
            if record.etag != etag || record.lastModified != lastModified {
                var refreshed = record
                refreshed.etag = etag
                refreshed.lastModified = lastModified
                try state.save(refreshed)
            }
            trail.line("unchanged", link: link, detail: "sha256 \(contentDigest), as recorded (\(record.outcome))")
            return Outcome(step: .unchanged, link: shown, imported: nil, rebootRequired: false, rebootRequested: false,
                           detail: "The license at \(shown) is the file handled on \(record.time) (\(record.outcome)); nothing to do.",
                           problems: [])
        }

        trail.line("downloaded", link: link, detail: "sha256 \(contentDigest)" + (etag.map { "; ETag \($0)" } ?? "")
            + (lastModified.map { "; Last-Modified \($0)" } ?? ""))
        let name = URLParts(link)?.fileName ?? "license.lic"
        let body = response.body
        // The products already running: a license that only continues one changes nothing today.
        let running = Set((try? DeviceInspector(layout: layout, clock: clock).inspect())?.entitlements.products
            .filter(\.isActive).map(\.product) ?? [])
        let candidate = LicenseImport.Candidate(source: shown, preferredName: FileName(name)) { .success(body) }
        let imported = try LicenseImport(layout: layout, clock: clock).run([candidate], options: .init(action: "deploy"))
        let installed = imported.results.compactMap { $0.installedAs?.description }
        // What changes what the device may do today: a valid license of a product that was not
        // running. A renewal that is not valid yet, or one that continues a running product,
        // changes nothing (DELIVERY.md step 4).
        let effective = imported.results
            .filter { $0.installedAs != nil && $0.verdict == .valid && !running.contains($0.product ?? "") }
            .compactMap { $0.installedAs?.description }
        let outcome = !installed.isEmpty ? "installed"
            : imported.results.contains { $0.verdict == .alreadyInstalled } ? "already-installed" : "refused"
        let verdicts = imported.results.map { "\($0.verdict.rawValue): \($0.detail)" }.joined(separator: "; ")
        // The change stands from here on: what fails now is reported, never undoes it or exits 1.
        var warnings: [String] = []
        if let failure = imported.auditFailure { trail.failed(failure) }
        if Self.refusedForTheDevice(imported) {
            // Nothing is recorded as handled: once the device can judge the file, it is downloaded again.
            warnings.append("Not recorded as handled: the refusal is about this device, not the file, so the next run downloads and decides again.")
        } else {
            do {
                try state.save(DeliveryRecord(linkSHA256: linkDigest, link: link, sha256: contentDigest, etag: etag,
                                                lastModified: lastModified, outcome: outcome, detail: verdicts, time: clock))
            } catch {
                warnings.append("Warning: what was deployed could not be recorded, so the next run downloads it again: \(error.sentence)")
            }
        }
        if !effective.isEmpty {
            do {
                try state.writeRebootMarker(RebootMarker(time: clock, reason: "license deployed from \(shown)",
                                                         files: effective, userDecides: delivery.promptUser))
            } catch {
                warnings.append("Warning: the reboot marker could not be written, so status does not show that a restart is pending: \(error.sentence)")
            }
        }
        let rebootSentence = effective.isEmpty
            ? (installed.isEmpty ? "" : " It is not valid yet, so nothing changes today and no restart is needed.")
            : delivery.promptUser ? " A restart is needed; the user is asked (prompt_user_on_actions is not false)."
            : " The device restarts to use it."
        var result = Outcome(step: .imported, link: shown, imported: imported, rebootRequired: !effective.isEmpty,
                             rebootRequested: false,
                             detail: "The license at \(shown) was \(outcome.replacing("-", with: " ")).\(rebootSentence)",
                             problems: [])
        result.warnings = warnings
        return result
    }

    private func nothing(_ detail: String) -> Outcome {
        Outcome(step: .nothingToDo, link: nil, imported: nil, rebootRequired: false, rebootRequested: false,
                detail: detail, problems: [])
    }

    /// True when nothing was installed and the refusal says something about this device rather
    /// than the file (DELIVERY.md step 2): `other-unit` while the device has no unit ID yet.
    /// The other refusals — malformed, bad signature, untrusted, revoked, expired, another
    /// unit's — are what the file is; problems of the keyring, the partition or I/O are
    /// errors, which record nothing.
    static func refusedForTheDevice(_ imported: LicenseImport.Outcome) -> Bool {
        imported.exitStatus == 2 && imported.unit == nil && imported.results.contains { $0.verdict == .otherUnit }
    }
}
