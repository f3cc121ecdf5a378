import LicensePlatform
import LicensePolicy

/// The device's own idea of the time for explaining a failed transfer: the trusted time
/// (CLI.md "Trusted time") without licenses — the persisted mark and the agent's build date.
/// Every network path (`fetch`, `activate`, `deploy`'s download and poll) passes its transfer
/// failures through here, so a device with a reset clock is told to set it.
struct TransferClock {
    let layout: DeviceLayout
    let clock: Timestamp

    /// `error`, with the clock named as its cause when it is.
    func explained(_ error: AgentError) -> AgentError {
        guard error.code == .network else { return error }
        let mark = AgentStateStore(layout: layout).load().state.mark
        let trusted = TrustedTime(clock: clock, mark: mark, buildDate: BuildInfo.buildDate, newestIssued: nil)
        return error.explainingClock(clock, trustedTime: trusted.value)
    }
}
