import LicensePlatform
import LicensePolicy

/// The device facts that come from configuration files rather than licenses: the OS
/// generation (os-release, overridden by agent.conf), the agent's own settings (server,
/// proxy) and the device settings that shape warnings.
///
/// A missing file means defaults. A file that cannot be used (a symlink, FIFO or directory
/// in its place, unreadable, too large) also means defaults, and is listed in `problems`,
/// so the boot check still answers and says what was wrong.
public struct DeviceConfiguration {
    public let generation: OSGeneration
    /// `VERSION_ID` read for `generation` (ENTITLEMENTS.md "OS 11 versions"): a version of that
    /// generation, or unreadable when os-release has none, it has no leading numbers, or it names
    /// another generation than `os_generation=` (then version-limited features are denied).
    public let versionReading: OSVersionReading
    public let agentSettings: Settings
    public let deviceSettings: Settings
    public let problems: [AgentError]

    public init(layout: DeviceLayout) {
        var problems: [AgentError] = []
        agentSettings = DeviceConfiguration.settings(layout.path("/etc/license-agent"), "agent.conf", problems: &problems)
        deviceSettings = DeviceConfiguration.settings(layout.settingsDirectory, ConfigurationGuard.settingsName, problems: &problems)
        let osRelease = DeviceConfiguration.osRelease(layout, problems: &problems)
        // A device that says nothing about its generation is treated as current (OS 12).
        generation = OSGeneration.resolve(osRelease: osRelease, configured: agentSettings["os_generation"]) ?? .os12
        versionReading = OSVersionReading.fromOSRelease(osRelease, generation: generation)
        self.problems = problems
    }

    /// The full `VERSION_ID` (`11.08.100`) when it was read for `generation`.
    public var version: OSVersion? { versionReading.version }

    /// False when the administrator switched off EMP expiry notifications.
    public var empNotificationsEnabled: Bool { deviceSettings.empNotificationsEnabled }

    static func settings(_ directory: String, _ name: FileName, problems: inout [AgentError]) -> Settings {
        guard let bytes = read(directory, name, problems: &problems) else { return Settings(values: [:]) }
        return Settings(parsing: bytes)
    }

    /// `/etc/os-release`, or — when that is the usual symbolic link (os-release(5)) —
    /// `/usr/lib/os-release`; neither is followed as a link.
    static func osRelease(_ layout: DeviceLayout, problems: inout [AgentError]) -> String? {
        let etc = (try? OpenDirectory.open(layout.path("/etc"))) ?? nil
        let linked = (try? etc?.kind(of: "os-release")) == .symlink
        return read(layout.path(linked ? "/usr/lib" : "/etc"), "os-release", problems: &problems)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// The bytes of the regular file `name` in the directory at `directory` (at most the
    /// settings limit); nil when absent or unusable.
    static func read(_ directory: String, _ name: FileName, problems: inout [AgentError]) -> [UInt8]? {
        do {
            return try OpenDirectory.open(directory)?.read(name, limit: ConfigurationGuard.settingsLimit)
        } catch {
            problems.append(error.reported(as: error.code, "Cannot use a configuration file, so its defaults apply: \(error.summary)"))
            return nil
        }
    }
}
