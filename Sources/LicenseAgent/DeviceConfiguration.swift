import LicensePlatform
import LicensePolicy

/// The device facts that come from configuration files rather than licenses: the OS
/// generation (os-release, overridden by agent.conf) and the settings that shape warnings.
public struct DeviceConfiguration {
    public let generation: OSGeneration
    public let agentSettings: [String: String]
    public let deviceSettings: [String: String]

    public init(layout: DeviceLayout) {
        agentSettings = DeviceConfiguration.keyValues(layout.agentConfig)
        deviceSettings = DeviceConfiguration.keyValues(layout.settingsFile)
        let osRelease = (try? DurableFile.read(layout.osRelease, limit: 64 << 10)).flatMap { $0 }
            .map { String(decoding: $0, as: UTF8.self) }
        // A device that says nothing about its generation is treated as current (OS 12).
        generation = OSGeneration.resolve(osRelease: osRelease, configured: agentSettings["os_generation"]) ?? .os12
    }

    /// False when the administrator switched off EMP expiry notifications.
    public var empNotificationsEnabled: Bool {
        deviceSettings["userinterface.license_notification.enable_enterprise_management_notification"]?
            .lowercased() != "false"
    }

    static func keyValues(_ path: String) -> [String: String] {
        guard let bytes = (try? DurableFile.read(path, limit: 4 << 20)).flatMap({ $0 }) else { return [:] }
        return KeyValueFile.parse(String(decoding: bytes, as: UTF8.self))
    }
}

/// `key=value` lines as in agent.conf and group.ini: `#` comments and blank lines skipped,
/// keys and values trimmed, the last of repeated keys wins.
enum KeyValueFile {
    static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingASCIIWhitespace()
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
            values[trimmed[..<equals].trimmingASCIIWhitespace()] = trimmed[trimmed.index(after: equals)...].trimmingASCIIWhitespace()
        }
        return values
    }
}
