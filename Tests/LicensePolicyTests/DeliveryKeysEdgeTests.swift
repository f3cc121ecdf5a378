import LicensePolicy
import Testing

/// Exactly five keys are license delivery (DELIVERY.md "Settings keys"); every other key of
/// the `system.remotemanager.` namespace, and every look-alike, is configuration and frozen
/// like any other.
@Suite struct DeliveryKeysEdgeTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    /// DELIVERY.md's table, in its order.
    static let five = [
        "system.remotemanager.server", "system.remotemanager.license_download_url", "system.remotemanager.ums_ca",
        "system.remotemanager.prompt_user_on_actions", "system.remotemanager.proxy",
    ]

    /// Keys that look like delivery keys and are not: other UMS settings, a longer or
    /// shorter key, another case, the bare namespace.
    static let configuration = [
        "system.remotemanager.enable_ssl", "system.remotemanager.server_port", "system.remotemanager.server2",
        "system.remotemanager.proxy.port", "system.remotemanager.", "System.RemoteManager.server",
        "system.remotemanager.SERVER", "remotemanager.server", "system.remotemanager.ums_ca_file",
        "xsystem.remotemanager.proxy",
    ]

    @Test func theFiveAreTheTable() {
        #expect(DeliverySettings.deliveryKeys == Self.five)
    }

    @Test(arguments: five)
    func deliveryKeyChangesNoConfiguration(key: String) {
        #expect(DeliverySettings.isDeliveryKey(key))
        let frozen = "userinterface.theme=dark\n\(key)=old\n"
        #expect(DeliveryKeys.sameConfiguration(Self.bytes(frozen), Self.bytes("userinterface.theme=dark\n\(key)=new\n")))
        #expect(DeliveryKeys.sameConfiguration(Self.bytes(frozen), Self.bytes("userinterface.theme=dark\n")),
                "removing it is no configuration change either")
    }

    @Test(arguments: configuration)
    func otherKeyIsConfiguration(key: String) {
        #expect(!DeliverySettings.isDeliveryKey(key))
        let frozen = "userinterface.theme=dark\n\(key)=old\n"
        #expect(!DeliveryKeys.sameConfiguration(Self.bytes(frozen), Self.bytes("userinterface.theme=dark\n\(key)=new\n")))
        #expect(!DeliveryKeys.sameConfiguration(Self.bytes(frozen), Self.bytes("userinterface.theme=dark\n")),
                "removing it is a change")
        #expect(!DeliveryKeys.sameConfiguration(Self.bytes("userinterface.theme=dark\n"), Self.bytes(frozen)),
                "adding it is a change")
    }

    /// A restore puts back the frozen value of every other remote-management key, and adds
    /// none that only the current file sets; the five keep the current values.
    @Test func restoringTreatsOtherRemoteManagerKeysAsConfiguration() {
        let snapshot = """
            system.remotemanager.server=https://ums:8443
            system.remotemanager.enable_ssl=true
            userinterface.theme=dark

            """
        let current = """
            system.remotemanager.enable_ssl=false
            system.remotemanager.server=https://ums2:8443
            system.remotemanager.server_port=9443
            system.remotemanager.proxy=http://proxy:3128

            """
        #expect(Self.text(DeliveryKeys.restoring(Self.bytes(snapshot), keepingDeliveryKeysOf: Self.bytes(current))) == """
            system.remotemanager.server=https://ums2:8443
            system.remotemanager.enable_ssl=true
            userinterface.theme=dark
            system.remotemanager.proxy=http://proxy:3128

            """)
    }

    /// The delivery settings read by `deploy` are the same five keys: a look-alike key sets none.
    @Test func lookAlikesAreNotReadAsDeliverySettings() {
        let settings = Settings(parsing: Self.configuration.map { "\($0)=https://x" }.joined(separator: "\n"))
        let delivery = DeliverySettings(settings)
        #expect(delivery.server == nil)
        #expect(delivery.downloadURL == nil)
        #expect(delivery.umsCA == nil)
        #expect(delivery.proxy == nil)
    }
}
