import LicensePlatform
import LicensePolicy

/// Where the agent reads and writes on a device (CLI.md "Device layout").
///
/// Every path is resolved under `root` (default `/`), so tests and the demo run the real
/// code against a fake device tree. The root changes where files are; it never weakens a check.
public struct DeviceLayout: Sendable {
    public let root: String
    /// Keeps a root whose name is not UTF-8 open while this layout, and so `root`, is in use.
    private let heldRoot: HeldPath?

    public init(root: String = "/") {
        var trimmed = root
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.init(root: trimmed, held: nil)
    }

    private init(root: String, held: HeldPath?) {
        self.root = root
        heldRoot = held
    }

    /// The layout under the directory `bytes` name: `--root` as the bytes the shell passed
    /// (CLI.md "File names, output and secrets"). A UTF-8 name is the root as it is. Any other
    /// cannot be a `String`, which every path below the root is: that directory is opened by
    /// its bytes and `root` is the path of the open directory (`HeldPath`).
    /// - Throws: `AgentError` with code `.notFound` when a name that is not UTF-8 names no
    ///   directory, or the reason it cannot be opened.
    public init(rootBytes: [UInt8]) throws(AgentError) {
        if let text = String(validating: rootBytes, as: UTF8.self) {
            self.init(root: text)
            return
        }
        guard let held = try HeldPath(bytes: rootBytes, kind: .directory) else {
            throw AgentError(.notFound, "The root directory does not exist", path: DisplayText.escaping(rootBytes))
        }
        self.init(root: held.path, held: held)
    }

    /// True when `path` is an existing directory (following a symbolic link): what `--root` must name.
    public static func isExistingDirectory(_ path: [UInt8]) -> Bool {
        (try? OpenDirectory.open(bytes: path)) != nil
    }

    /// `relative` (absolute in device terms, e.g. `/license`) under the root.
    public func path(_ relative: String) -> String {
        root == "/" ? relative : root + relative
    }

    public var licensePartition: String { path("/license") }
    public var licenseDirectory: String { path("/license/dsa/licenses") }
    public var keyring: String { path("/etc/license-agent/keyring.pem") }
    public var crl: String { path("/etc/license-agent/crl.pem") }
    public var agentConfig: String { path("/etc/license-agent/agent.conf") }
    public var osRelease: String { path("/etc/os-release") }
    /// The settings partition, which holds the settings file and the agent's state directory.
    public var settingsDirectory: String { path("/wfs") }
    public var settingsFile: String { path("/wfs/group.ini") }
    public var assignedProfiles: String { path("/wfs/license-profiles") }
    public var stateDirectory: String { path("/wfs/license-agent") }
    public var agentState: String { path("/wfs/license-agent/state.json") }
    public var auditLog: String { path("/wfs/license-agent/audit.log") }
    public var runtimeDirectory: String { path("/run/license-agent") }
    public var runtimeState: String { path("/run/license-agent/state.json") }
    public var writerLock: String { path("/run/license-agent/lock") }
    /// A license was installed and takes effect after a restart (DELIVERY.md step 4).
    public var rebootMarker: String { path("/run/license-agent/reboot-required") }
    /// What `deploy` did last (DELIVERY.md step 2).
    public var deliveryRecord: String { path("/wfs/license-agent/deploy.json") }
    /// Installed shipped profiles; a development tree's `Profiles/` is found by the profile code.
    public var shippedProfiles: String { path("/usr/share/license-agent/profiles") }
}
