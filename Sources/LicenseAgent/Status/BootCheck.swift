import LicensePlatform
import LicensePolicy

/// `check`, the boot-time decision (CLI.md "check", "The boot check never leaves the device
/// without an answer"): under the writer lock, run the assigned removal profile (unless it is
/// refused or assigned after the configuration froze: a warning, not a failure), verify
/// everything, persist trusted time and the unit ID, freeze or thaw the configuration, and
/// publish the result in `/run/license-agent/state.json` for the components that start after it.
///
/// The check is a list of steps whose failures accumulate into `errors` instead of one
/// `throw` that stops everything: whatever is broken around the licenses, the answer is
/// published. Without the lock (another writer hung) nothing is changed, but the answer is
/// still published. Only when the licenses cannot even be listed does `state.json` hold the
/// bare `{"schemaVersion":1,"licensed":false,"errors":[…]}`.
public struct BootCheck {
    public let layout: DeviceLayout
    public let clock: Timestamp

    public init(layout: DeviceLayout, clock: Timestamp = SystemClock.now()) {
        self.layout = layout
        self.clock = clock
    }

    /// What the check found and whether its answer reached `state.json`.
    public struct Outcome {
        /// The device's status; nil when the licenses could not even be listed.
        public let status: DeviceStatus?
        /// Every failure, in the order the steps met them (also those inside `status`).
        public let errors: [AgentError]
        /// Why `state.json` could not be written, if it could not.
        public let publishFailure: AgentError?

        /// 0 licensed, 2 unlicensed, 1 when a step failed or the setup is broken (CLI.md).
        public var exitStatus: Int32 {
            guard let status, publishFailure == nil, !status.isIncomplete else { return 1 }
            return status.report.licensed ? 0 : 2
        }
    }

    public func run() -> Outcome {
        var errors: [AgentError] = []
        var status: DeviceStatus?
        // One verifier for the whole run: the profile's removal and the inspection after it
        // read the keyring once and share the chains it trusted.
        let verification = LicenseVerification(layout: layout)
        do {
            status = try WriterLock.withLock(layout: layout, purpose: "check") { lock in
                changeAndInspect(lock: lock, verification: verification, errors: &errors)
            }
        } catch {
            errors.append(error)
            log.debug("no writer lock (\(error.sentence)): checking without changing anything")
            if let report = inspect(verification: verification, errors: &errors) {
                let configuration = ConfigurationState.read(layout: layout, errors: &errors)
                status = describe(report, configuration: configuration, warnings: [], errors: errors)
            }
        }
        let document = status.map { JSONOutput.encode($0.document) }
            ?? JSONOutput.encode(StatusDocument.Unanswered(errors: errors))
        let publishFailure = publish(document, errors: status?.errors ?? errors)
        return Outcome(status: status, errors: status?.errors ?? errors, publishFailure: publishFailure)
    }

    /// Writes the answer to `/run/license-agent/state.json`. When that fails (a full `/run`),
    /// the old answer must not stand for today's (CLI.md "A published answer is never stale"):
    /// it is removed, and the bare "not licensed, and why" written in its place if that fits.
    private func publish(_ document: [UInt8], errors: [AgentError]) -> AgentError? {
        let name = FileName("state.json")
        var directory: OpenDirectory?
        do {
            let runtime = try OpenDirectory.create(layout.runtimeDirectory)
            directory = runtime
            _ = try runtime.replace(name, with: document)
            return nil
        } catch {
            // Opened again when that is what failed: the old answer must go all the same.
            let directory = directory ?? (try? OpenDirectory.open(layout.runtimeDirectory)) ?? nil
            try? directory?.removeFileDurably(name)
            let bare = StatusDocument.Unanswered(errors: errors + [error.reported(as: error.code, "The answer could not be published: \(error.summary)")])
            _ = try? directory?.replace(name, with: JSONOutput.encode(bare))
            return error
        }
    }

    /// The steps that change the device, each allowed to fail on its own.
    private func changeAndInspect(lock: WriterLock, verification: LicenseVerification,
                                  errors: inout [AgentError]) -> DeviceStatus? {
        let profiles = RemovalProfiles(layout: layout, clock: clock, verification: verification)
        var warnings: [Warning] = []
        do {
            // A profile that may not run (refused, frozen) is a warning, which the profile
            // summary gives `status` and `check` alike; only a failure is an error here.
            // Today's licenses are read early only when the freeze marker alone stops the
            // profile (a renewal lifts it); their problems are reported by the inspection below.
            let run = try profiles.runAssigned(lock: lock, inspect: {
                var ignored: [AgentError] = []
                return inspect(verification: verification, errors: &ignored)
            })
            if case .ran(_, let removed) = run.outcome, let failure = removed.auditFailure { errors.append(failure) }
        } catch {
            errors.append(error)
            warnings.append(Warning(code: .profileRefused, message: "The assigned removal profile did not run: \(error.sentence)"))
        }
        guard let report = inspect(verification: verification, errors: &errors) else { return nil }
        log.debug("verified: \(report.licenses.count) file(s), licensed \(report.licensed)")
        persist(report, errors: &errors)
        let configuration: ConfigurationState
        do {
            configuration = try ConfigurationGuard(layout: layout).enforce(
                generation: report.generation, pas: report.product("PAS"), now: report.trustedTime.value)
            log.debug("configuration: \(configuration.frozen ? "frozen" : "not frozen") (\(configuration.action))")
        } catch {
            errors.append(error)
            configuration = ConfigurationState.read(layout: layout, errors: &errors)
        }
        return describe(report, configuration: configuration, warnings: warnings, errors: errors)
    }

    /// The report, once udev has announced the devices present at boot (the NIC whose MAC is
    /// the unit ID may still be on its way).
    private func inspect(verification: LicenseVerification, errors: inout [AgentError]) -> DeviceReport? {
        UdevSettling.waitBeforeReadingUnitID()
        do {
            return try DeviceInspector(layout: layout, clock: clock).inspect(verification: verification)
        } catch {
            errors.append(error)
            return nil
        }
    }

    /// The trusted-time mark only moves forward; a changed unit is remembered only once it
    /// holds a license (`UnitChange`).
    private func persist(_ report: DeviceReport, errors: inout [AgentError]) {
        let store = AgentStateStore(layout: layout)
        let (previous, problem) = store.load()
        if let problem {
            errors.append(problem)
            // A state that cannot be read now is left as it is (a corrupt one is kept aside by save).
            guard problem.code == .invalidData else { return }
        }
        do {
            try store.save(AgentState(
                trustedTimeMark: max(report.trustedTime.value, previous.mark ?? report.trustedTime.value),
                unitId: UnitChange.unitToRemember(remembered: previous.rememberedUnit, current: report.unit,
                                                  licenses: report.licenses)))
        } catch {
            errors.append(error)
        }
    }

    /// `errors` are the other steps' failures; the report carries its own problems.
    private func describe(_ report: DeviceReport, configuration: ConfigurationState, warnings: [Warning],
                          errors: [AgentError]) -> DeviceStatus {
        DeviceStatus(report: report, configuration: configuration,
                     removalProfile: RemovalProfiles(layout: layout, clock: clock).summary(of: report),
                     extraWarnings: warnings, errors: errors)
    }
}
