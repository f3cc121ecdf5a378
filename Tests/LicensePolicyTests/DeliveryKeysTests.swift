import LicensePolicy
import Testing

/// The delivery keys of the device settings (DELIVERY.md): read from `Settings`, never
/// reverted by a freeze, the only change `config apply` accepts while frozen.
@Suite struct DeliveryKeysTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    static let snapshot = """
        # frozen
        network.proxy.host=proxy.example.com
        system.remotemanager.server=https://ums.example.com:8443
        userinterface.theme=dark

        """

    @Test func keysAreReadFromTheSettings() {
        let settings = Settings(parsing: """
            system.remotemanager.server=https://ums:8443
            system.remotemanager.license_download_url=https://ums:8443/licenses/00E0C51C5087.lic
            system.remotemanager.ums_ca=/wfs/ums-ca.pem
            system.remotemanager.prompt_user_on_actions=TRUE
            system.remotemanager.proxy=
            """)
        let delivery = DeliverySettings(settings)
        #expect(delivery.server == "https://ums:8443")
        #expect(delivery.downloadURL == "https://ums:8443/licenses/00E0C51C5087.lic")
        #expect(delivery.umsCA == "/wfs/ums-ca.pem")
        #expect(delivery.promptUser)
        #expect(delivery.proxy == nil, "an empty value is no proxy")
        #expect(DeliverySettings(Settings(parsing: "system.remotemanager.prompt_user_on_actions=yes\n")).promptUser,
                "anything but false asks the user")
        #expect(DeliverySettings(Settings(values: [:])).promptUser, "absent: the device default, ask")
        #expect(!DeliverySettings(Settings(parsing: "system.remotemanager.prompt_user_on_actions=False\n")).promptUser,
                "false reboots without asking")
        #expect(DeliverySettings(Settings(values: [:])) == DeliverySettings(Settings(parsing: "")))
    }

    @Test func filesThatDifferOnlyInDeliveryKeysSetTheSameConfiguration() {
        let changed = """
            system.remotemanager.license_download_url=https://ums/l.lic
            userinterface.theme=dark
            network.proxy.host=proxy.example.com
            system.remotemanager.server=https://other:8443
            """
        #expect(DeliveryKeys.sameConfiguration(Self.bytes(Self.snapshot), Self.bytes(changed)),
                "comments, blank lines, order and delivery keys do not count")
        #expect(!DeliveryKeys.sameConfiguration(Self.bytes(Self.snapshot), Self.bytes(changed + "\nuserinterface.theme=light\n")))
        #expect(!DeliveryKeys.sameConfiguration(Self.bytes(Self.snapshot), Self.bytes("network.proxy.host=proxy.example.com\n")),
                "a removed setting is a change")
        #expect(!DeliveryKeys.sameConfiguration(Self.bytes(Self.snapshot), Self.bytes(Self.snapshot + "not a setting\n")))
        #expect(DeliveryKeys.sameConfiguration(nil, Self.bytes("system.remotemanager.server=https://x\n")),
                "no file and a file of delivery keys only set the same configuration")
        #expect(!DeliveryKeys.sameConfiguration(nil, Self.bytes("a=1\n")))
    }

    @Test func restoringKeepsTheCurrentDeliveryKeysInPlace() {
        let current = """
            userinterface.theme=sneaky
            system.remotemanager.server=https://new-ums:8443
            system.remotemanager.license_download_url=https://new-ums:8443/l.lic

            """
        let restored = Self.text(DeliveryKeys.restoring(Self.bytes(Self.snapshot), keepingDeliveryKeysOf: Self.bytes(current)))
        #expect(restored == """
            # frozen
            network.proxy.host=proxy.example.com
            system.remotemanager.server=https://new-ums:8443
            userinterface.theme=dark
            system.remotemanager.license_download_url=https://new-ums:8443/l.lic

            """)
    }

    @Test func restoringDropsDeliveryKeysTheCurrentFileNoLongerSets() {
        let restored = Self.text(DeliveryKeys.restoring(Self.bytes(Self.snapshot), keepingDeliveryKeysOf: Self.bytes("a=1\n")))
        #expect(restored == "# frozen\nnetwork.proxy.host=proxy.example.com\nuserinterface.theme=dark\n")
        #expect(DeliveryKeys.restoring(nil, keepingDeliveryKeysOf: Self.bytes("a=1\n")) == nil,
                "no snapshot file and no delivery keys: no file")
        #expect(Self.text(DeliveryKeys.restoring(nil, keepingDeliveryKeysOf: Self.bytes("a=1\nsystem.remotemanager.server=s\n")))
                    == "system.remotemanager.server=s\n")
        #expect(Self.text(DeliveryKeys.restoring(Self.bytes("a=1"), keepingDeliveryKeysOf: nil)) == "a=1\n")
    }
}
