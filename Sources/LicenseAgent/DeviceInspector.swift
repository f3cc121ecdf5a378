import LicensePlatform
import LicensePolicy

/// Builds the `DeviceReport`: reads the device tree, verifies every installed license, and
/// applies trusted time, products and entitlements. Read-only: it changes nothing on disk
/// (persisting the trusted-time mark is `check`'s job).
public struct DeviceInspector {
    public let layout: DeviceLayout
    /// The raw clock; injectable so that tests of the core need no `faketime`.
    public let clock: Timestamp

    public init(layout: DeviceLayout, clock: Timestamp = SystemClock.now()) {
        self.layout = layout
        self.clock = clock
    }

    /// The report for trusted time's day, or for `day` when given (`status --at`), which
    /// must not be earlier than trusted time: the past is not something the agent can vouch for.
    public func inspect(at day: CalendarDay? = nil) throws(AgentError) -> DeviceReport {
        let state = AgentStateStore(layout: layout).load()
        let selection = try UnitIDReader(layout: layout).read()
        log.debug("unit ID \(selection.unitID?.value ?? "none") (\(selection.candidates.count) candidates)")
        let examined = try examineInstalledLicenses()
        let trusted = TrustedTime(clock: clock, mark: state.mark, buildDate: BuildInfo.buildDate,
                                  newestIssued: LicenseEvaluation.newestIssued(examined))
        if let day, day < trusted.today {
            throw AgentError(.usage, "--at \(day) is before the trusted time \(trusted.value)",
                             remedy: "Give today or a later date")
        }
        let today = day ?? trusted.today
        log.debug("trusted time \(trusted.value): clock \(clock), mark \(state.mark?.description ?? "none"), build \(BuildInfo.buildDate), newest issued \(LicenseEvaluation.newestIssued(examined)?.description ?? "none")")
        let reports = LicenseEvaluation.judge(examined, unit: selection.unitID, today: today)
        let products = ProductStatus.summarize(
            reports.filter(\.verdict.isCounted).compactMap(\.document), on: today)
        let configuration = DeviceConfiguration(layout: layout)
        let generation = configuration.generation
        let entitlements = Entitlements.evaluate(generation: generation, version: configuration.version,
                                                 products: products, today: today,
                                                 empNotificationsEnabled: configuration.empNotificationsEnabled)
        var warnings: [Warning] = []
        if let rollback = trusted.warning(clock: clock) { warnings.append(rollback) }
        if let changed = UnitChange.warning(remembered: state.rememberedUnit, current: selection.unitID,
                                            licenses: reports) {
            warnings.append(changed)
        }
        if let reboot = DeploymentState(layout: layout).rebootWarning() { warnings.append(reboot) }
        warnings += entitlements.warnings
        return DeviceReport(unit: selection.unitID, generation: generation, clock: clock, trustedTime: trusted,
                            today: today, licenses: reports, products: products, entitlements: entitlements,
                            warnings: warnings)
    }

    /// Signature, chain and document checks of every `*.lic` in the license directory.
    /// A keyring that cannot be loaded makes every file `untrusted`, with the reason.
    public func examineInstalledLicenses() throws(AgentError) -> [LicenseEvaluation.Examined] {
        let files = try InstalledLicenses(layout: layout).files()
        log.debug("\(files.count) license file(s) in \(layout.licenseDirectory); keyring \(layout.keyring)")
        guard !files.isEmpty else { return [] }
        let verifier: CMSLicenseVerifier
        do {
            verifier = try CMSLicenseVerifier(keyringPath: layout.keyring, crlPath: layout.crl)
        } catch {
            return files.map { LicenseEvaluation.examine(file: $0.name, signature: .refused(.untrusted, detail: error.sentence)) }
        }
        return files.map { file in
            switch file.contents {
            case .success(let bytes):
                return LicenseEvaluation.examine(file: file.name, signature: verifier.check(bytes))
            case .failure(let error):
                return LicenseEvaluation.examine(file: file.name, signature: .refused(.malformed, detail: error.sentence))
            }
        }
    }
}
