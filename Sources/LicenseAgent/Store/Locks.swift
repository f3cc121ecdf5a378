import LicensePlatform
import LicensePolicy

/// Proof that the caller holds the writer lock, `/run/license-agent/lock` (CLI.md "Imports"):
/// one writer at a time changes the license partition, the settings and the agent's state.
///
/// Only `withLock` makes one, and only for the layout's writer lock, so `LicenseStore` and
/// the other writers that demand it cannot be handed any other lock — the deploy lock
/// included.
public struct WriterLock {
    private let held: FileLock

    /// True until `withLock`'s body has ended.
    public var isHeld: Bool { held.isHeld }

    /// Takes the writer lock of `layout` — waiting up to `timeout` for another writer, then
    /// failing with `.lockBusy` naming the holder — runs `body`, and releases it however
    /// `body` ends.
    public static func withLock<Value>(layout: DeviceLayout, purpose: String, timeout: Duration = .seconds(10),
                                       _ body: (WriterLock) throws(AgentError) -> Value) throws(AgentError) -> Value {
        try FileLock.withLock(path: layout.writerLock, purpose: purpose, timeout: timeout) { lock throws(AgentError) in
            let writer = WriterLock(held: lock)
            // A writer before this one may have left /license writable (killed, or the remount
            // failed), or a removal in place half done (killed).
            LicenseStore.restorePending(layout: layout)
            LicenseStore(layout: layout, lock: writer).finishPendingRemoval()
            return try body(writer)
        }
    }
}

/// The lock that serialises `deploy` runs, `/run/license-agent/deploy.lock`, held across the
/// network transfers (DELIVERY.md). It proves nothing about the writer lock, which the
/// import inside a deploy takes for itself, so a slow UMS never blocks the boot check.
public enum DeliveryLock {
    /// Takes the deploy lock of `layout`, runs `body`, and releases it however `body` ends.
    public static func withLock<Value>(layout: DeviceLayout, timeout: Duration,
                                       _ body: () throws(AgentError) -> Value) throws(AgentError) -> Value {
        try FileLock.withLock(path: layout.runtimeDirectory + "/deploy.lock", purpose: "deploy",
                              timeout: timeout) { _ throws(AgentError) in try body() }
    }
}
