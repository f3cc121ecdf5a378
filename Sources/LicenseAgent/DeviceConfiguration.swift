import LicensePlatform
import LicensePolicy

/// The device facts that come from configuration files rather than licenses: the OS
/// generation (os-release, overridden by agent.conf), the agent's own settings (server,
/// proxy) and the device settings that shape warnings.
public struct DeviceConfiguration {
    public let generation: OSGeneration
    /// The full `VERSION_ID` (`11.08.100`) when it belongs to `generation`; nil when os-release
    /// has none or names another generation than `os_generation=` (then no version window applies).
    public let version: OSVersion?
    public let agentSettings: Settings
    public let deviceSettings: Settings

    public init(layout: DeviceLayout) {
        agentSettings = DeviceConfiguration.settings(layout.agentConfig)
        deviceSettings = DeviceConfiguration.settings(layout.settingsFile)
        let osRelease = (try? DurableFile.read(layout.osRelease, limit: 64 << 10, followingSymlinks: true)).flatMap { $0 }
            .map { String(decoding: $0, as: UTF8.self) }
        // A device that says nothing about its generation is treated as current (OS 12).
        generation = OSGeneration.resolve(osRelease: osRelease, configured: agentSettings["os_generation"]) ?? .os12
        version = osRelease.flatMap(OSVersion.fromOSRelease).flatMap { [generation] in
            $0.major == generation.rawValue ? $0 : nil
        }
    }

    /// False when the administrator switched off EMP expiry notifications.
    public var empNotificationsEnabled: Bool { deviceSettings.empNotificationsEnabled }

    /// A settings file; a missing or unreadable one reads as empty (every setting at its default).
    static func settings(_ path: String) -> Settings {
        guard let bytes = (try? DurableFile.read(path, limit: 4 << 20, followingSymlinks: true)).flatMap({ $0 })
        else { return Settings(values: [:]) }
        return Settings(parsing: bytes)
    }
}
