/// The license-delivery keys of the device settings (DELIVERY.md "Settings keys"): what the
/// UMS writes into `/wfs/group.ini` so that the device can fetch its license.
///
/// These five keys are license deployment, not configuration: a frozen configuration never
/// reverts them, and `config apply` on a frozen device accepts a file that differs from the
/// snapshot only in them. `DeliveryKeys` holds those two rules. Other keys of the
/// `system.remotemanager.` namespace (the UMS's own settings) are configuration like any other.
public struct DeliverySettings: Sendable, Equatable {
    public static let serverKey = "system.remotemanager.server"
    public static let downloadURLKey = "system.remotemanager.license_download_url"
    public static let umsCAKey = "system.remotemanager.ums_ca"
    public static let promptKey = "system.remotemanager.prompt_user_on_actions"
    public static let proxyKey = "system.remotemanager.proxy"

    /// The UMS base URL; present means the device is registered with a UMS.
    public let server: String?
    /// The link to this device's license or mass license.
    public let downloadURL: String?
    /// A PEM CA certificate trusted for https to the UMS, beside the system store.
    public let umsCA: String?
    /// True unless the setting is `false`: the user is asked before a reboot (DELIVERY.md step 4).
    public let promptUser: Bool
    /// The proxy for the UMS; nil falls back to agent.conf's `proxy=`.
    public let proxy: String?

    public init(_ settings: Settings) {
        func value(_ key: String) -> String? {
            settings[key].flatMap { $0.isEmpty ? nil : $0 }
        }
        server = value(Self.serverKey)
        downloadURL = value(Self.downloadURLKey)
        umsCA = value(Self.umsCAKey)
        // The device default is on: only `false` reboots without asking.
        promptUser = settings[Self.promptKey]?.lowercased() != "false"
        proxy = value(Self.proxyKey)
    }

    /// The five keys of DELIVERY.md's table, in its order, exactly as written (keys are case-sensitive).
    public static let deliveryKeys = [serverKey, downloadURLKey, umsCAKey, promptKey, proxyKey]

    public static func isDeliveryKey(_ key: String) -> Bool { deliveryKeys.contains(key) }
}

/// The frozen configuration's two rules for delivery keys (ENTITLEMENTS.md "Frozen
/// configuration" 4, DELIVERY.md), on settings files as bytes.
///
/// Files are compared by what they set, not byte for byte: the `key=value` pairs (last one
/// wins, as `Settings` reads them) apart from the five delivery keys, plus any line that is
/// not a setting. Comments, blank lines and order carry no setting and do not count.
public enum DeliveryKeys {
    /// True when the two files (nil: no file) set the same configuration apart from delivery keys.
    public static func sameConfiguration(_ first: [UInt8]?, _ second: [UInt8]?) -> Bool {
        configuration(of: first) == configuration(of: second)
    }

    /// `snapshot` with its delivery-key lines replaced by those of `current`: each delivery
    /// line of the snapshot becomes the current value of that key (or goes, when `current`
    /// no longer sets it), and delivery keys only `current` sets are appended. Nil when the
    /// result would be an empty file and there was no snapshot file.
    public static func restoring(_ snapshot: [UInt8]?, keepingDeliveryKeysOf current: [UInt8]?) -> [UInt8]? {
        let currentLines = lines(of: current)
        var currentByKey: [String: [UInt8]] = [:]
        var currentOrder: [String] = []
        for line in currentLines {
            guard let key = settingKey(line), DeliverySettings.isDeliveryKey(key) else { continue }
            if currentByKey[key] == nil { currentOrder.append(key) }
            currentByKey[key] = line
        }
        var output: [[UInt8]] = []
        var placed = Set<String>()
        for line in lines(of: snapshot) {
            guard let key = settingKey(line), DeliverySettings.isDeliveryKey(key) else {
                output.append(line)
                continue
            }
            // Only the first occurrence takes the current value; repeats of the key go.
            if let replacement = currentByKey[key], !placed.contains(key) {
                output.append(replacement)
                placed.insert(key)
            }
        }
        for key in currentOrder where !placed.contains(key) {
            if let line = currentByKey[key] { output.append(line) }
        }
        if snapshot == nil && output.isEmpty { return nil }
        var bytes: [UInt8] = []
        for line in output {
            bytes += line
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    /// What a file sets apart from delivery keys, and the lines that are not settings.
    struct Configuration: Equatable {
        var values: [String: String] = [:]
        var problems: [String] = []
    }

    static func configuration(of bytes: [UInt8]?) -> Configuration {
        guard let bytes else { return Configuration() }
        let settings = Settings(parsing: bytes)
        return Configuration(values: settings.values.filter { !DeliverySettings.isDeliveryKey($0.key) },
                             problems: settings.problems.map(\.text))
    }

    /// The lines of a file without their line feeds; a final line feed adds no empty line.
    static func lines(of bytes: [UInt8]?) -> [[UInt8]] {
        guard let bytes, !bytes.isEmpty else { return [] }
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        if bytes.last == UInt8(ascii: "\n") { lines.removeLast() }
        return lines
    }

    /// The key a line sets, by the grammar of `Settings`; nil for comments, blanks and non-settings.
    static func settingKey(_ line: [UInt8]) -> String? {
        let parsed = Settings(parsing: line)
        guard parsed.problems.isEmpty, parsed.values.count == 1 else { return nil }
        return parsed.values.keys.first
    }
}
