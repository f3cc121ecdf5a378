import LicensePolicy
import Testing

/// The `key=value` grammar of group.ini and agent.conf.
@Suite struct SettingsTests {
    @Test func parsesDottedKeysCommentsAndBlankLines() {
        let settings = Settings(parsing: """
            # device settings
            userinterface.license_notification.enable_enterprise_management_notification=false

              network.proxy.host = proxy.example.com  \r
            os_generation=12
            empty.value=
            """)
        #expect(settings.problems.isEmpty)
        #expect(settings["network.proxy.host"] == "proxy.example.com")
        #expect(settings["os_generation"] == "12")
        #expect(settings["empty.value"] == "")
        #expect(settings.values.count == 4)
        #expect(!settings.empNotificationsEnabled)
    }

    @Test func lastRepeatedKeyWinsAndQuotesAreRemoved() {
        let settings = Settings(parsing: "a.b=1\na.b=2\nquoted=\"x = y\"\nsingle='z'\nodd=\"open\n")
        #expect(settings["a.b"] == "2")
        #expect(settings["quoted"] == "x = y")
        #expect(settings["single"] == "z")
        #expect(settings["odd"] == "\"open")
    }

    @Test func valueMayContainEquals() {
        #expect(Settings(parsing: "url=https://h/p?a=b")["url"] == "https://h/p?a=b")
    }

    @Test func linesThatAreNotKeyValueAreProblemsWithLineNumbers() {
        let settings = Settings(parsing: "good=1\n\njust text\n=nokey\nbad key=1\n.dot=1\nok-key_2.x=3")
        #expect(settings.problems.map(\.line) == [3, 4, 5, 6])
        #expect(settings.problems.first?.description == "line 3: just text")
        #expect(settings.values == ["good": "1", "ok-key_2.x": "3"])
    }

    @Test(arguments: [("true", true), ("TRUE", true), ("yes", true), ("on", true), ("1", true),
                      ("false", false), ("False", false), ("no", false), ("off", false), ("0", false)])
    func booleans(text: String, value: Bool) {
        #expect(Settings(parsing: "k=\(text)").bool("k") == value)
    }

    @Test func notificationsStayOnUnlessSwitchedOff() {
        #expect(Settings(parsing: "").empNotificationsEnabled)
        #expect(Settings(parsing: "\(Settings.empNotificationKey)=true").empNotificationsEnabled)
        #expect(Settings(parsing: "\(Settings.empNotificationKey)=maybe").empNotificationsEnabled)
        #expect(!Settings(parsing: "\(Settings.empNotificationKey)=0").empNotificationsEnabled)
    }

    @Test func bytesWithCRLF() {
        let settings = Settings(parsing: Array("a=1\r\nb=2\r\n".utf8))
        #expect(settings.values == ["a": "1", "b": "2"])
        #expect(settings.problems.isEmpty)
    }
}
