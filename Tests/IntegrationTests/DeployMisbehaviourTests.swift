import Foundation
import Testing
import TestSupport

/// `deploy` against a device that is not ready and a UMS that misbehaves (DELIVERY.md steps
/// 1–2, "Settings keys", "The clock and TLS"): the built binary, the loopback UMS stand-in
/// with its quirks, and what is left in `deploy.json`, the audit log and the license directory.
@Suite struct DeployMisbehaviourTests {
    typealias Setup = DeployTests.Setup

    /// `license-agent deploy --json --root ROOT` under the umockdev testbed `fixture`.
    static func deploy(_ setup: Setup, fixture: String) throws -> ProcessResult {
        try ProcessRunner.run(try Umockdev.commandLine(deviceFile: try Umockdev.fixture(fixture),
                                                       [Umockdev.agent, "deploy", "--json", "--root", setup.device.root]))
    }

    var recordPath: (Setup) -> String { { $0.device.directory.appending("wfs/license-agent/deploy.json") } }

    @Test func aRefusalWithoutAUnitIDIsDecidedAgainOnceTheNICIsThere() throws {
        let setup = try Setup()
        let link = try setup.ums.serve("EMP-R9HXH.lic", setup.license(units: [DeviceTree.fixtureUnit]))
        try setup.settings(link: link)

        let early = try Self.deploy(setup, fixture: "nothing-usable")
        #expect(early.status == 2, "\(early)")
        #expect(early.stdout.contains("other-unit"), "\(early)")
        #expect(!FileManager.default.fileExists(atPath: recordPath(setup)), "a refusal about the device is not recorded")
        #expect(try setup.device.installedNames().isEmpty)

        let ready = try Self.deploy(setup, fixture: "device")
        #expect(ready.status == 0, "\(ready)")
        #expect(try setup.device.installedNames() == ["EMP-R9HXH.lic"])
        #expect(setup.downloads(of: "/licenses/EMP-R9HXH.lic").map(\.status) == [200, 200])
    }

    @Test func aFileForAnotherUnitIsRecordedAndNotDownloadedAgain() throws {
        let setup = try Setup()
        let link = try setup.ums.serve("OTHER.lic", setup.license(units: ["001122334455"]))
        try setup.settings(link: link)
        #expect(try setup.deploy().status == 2)
        #expect(try setup.record()["outcome"] as? String == "refused")
        let again = try setup.deploy()
        #expect(again.status == 0, "\(again)")
        #expect(try again.json()["step"] as? String == "not-modified")
    }

    @Test func a304ToAnUnconditionalRequestIsAProtocolError() throws {
        let setup = try Setup()
        let link = try setup.ums.serve("EMP-R9HXH.lic", setup.license())
        try setup.ums.misbehave("EMP-R9HXH.lic", always304: true)
        try setup.settings(link: link)
        let result = try setup.deploy()
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("the server answered 304 Not Modified to a request that was not conditional"), "\(result)")
        #expect(try setup.device.installedNames().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: recordPath(setup)))
        #expect(setup.downloads(of: "/licenses/EMP-R9HXH.lic").first?.ifNoneMatch == nil)
    }

    @Test(arguments: ["symlink", "fifo", "directory", "oversize"])
    func anUnreadableSettingsFileIsAnErrorNamingIt(kind: String) throws {
        let setup = try Setup()
        let link = try setup.ums.serve("EMP-R9HXH.lic", setup.license())
        try setup.settings(link: link)
        let settings = setup.device.directory.appending("wfs/group.ini")
        let real = setup.device.directory.appending("wfs/real.ini")
        try FileManager.default.moveItem(atPath: settings, toPath: real)
        switch kind {
        case "symlink": try FileManager.default.createSymbolicLink(atPath: settings, withDestinationPath: real)
        case "fifo": #expect(mkfifo(settings, 0o644) == 0)
        case "directory": try FileManager.default.createDirectory(atPath: settings, withIntermediateDirectories: false)
        default:
            var big = try Data(contentsOf: URL(fileURLWithPath: real))
            big.append(Data(repeating: UInt8(ascii: "#"), count: 1 << 20))
            try big.write(to: URL(fileURLWithPath: settings))
        }
        let result = try setup.device.agent(["deploy"], timeout: 30)
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("wfs/group.ini"), "\(result)")
        #expect(!result.stdout.contains("nothing to do"), "\(result)")
        #expect(try setup.device.installedNames().isEmpty)
    }

    @Test func aByteOrderMarkAndCRLFLineEndsDropNoKey() throws {
        let setup = try Setup()
        let link = try setup.ums.serve("EMP-R9HXH.lic", setup.license())
        let text = "\u{FEFF}system.remotemanager.license_download_url=\(link)\r\n"
            + "system.remotemanager.server=\(setup.ums.baseURL)\r\nsystem.remotemanager.ums_ca=/etc/ums-ca.pem\r\n"
        try setup.device.directory.write("wfs/group.ini", text)
        let result = try setup.deploy()
        #expect(result.status == 0, "\(result)")
        #expect(try setup.device.installedNames() == ["EMP-R9HXH.lic"])
    }

    @Test func anAuditLogThatCannotBeWrittenDoesNotStopTheInstall() throws {
        let setup = try Setup()
        try setup.settings(link: try setup.ums.serve("EMP-R9HXH.lic", setup.license()))
        try FileManager.default.createDirectory(atPath: setup.device.directory.appending("wfs/license-agent/audit.log"),
                                                withIntermediateDirectories: true)
        let result = try setup.deploy()
        #expect(result.status == 0, "\(result)")
        #expect(try setup.device.installedNames() == ["EMP-R9HXH.lic"])
        #expect(result.stderr.contains("WARNING (audit-incomplete)"), "\(result)")
        #expect(try setup.record()["outcome"] as? String == "installed")
    }

    @Test(arguments: ["\"v1\rX-Injected: yes\"", "\"" + String(repeating: "a", count: 1100) + "\""])
    func aValidatorWithAControlCharacterOrOverLongIsNeitherRecordedNorSent(etag: String) throws {
        let setup = try Setup()
        let link = try setup.ums.serve("EMP-R9HXH.lic", setup.license())
        try setup.ums.misbehave("EMP-R9HXH.lic", etag: etag)
        try setup.settings(link: link)
        #expect(try setup.deploy().status == 0)
        #expect(try setup.record()["etag"] == nil)
        _ = try setup.deploy()
        let second = try #require(setup.downloads(of: "/licenses/EMP-R9HXH.lic").last)
        #expect(second.ifNoneMatch == nil)
        #expect(second.ifModifiedSince != nil, "the clean Last-Modified is still used")
        #expect(!second.headerNames.contains { $0.lowercased() == "x-injected" })
    }

    @Test func aClockYearsBehindSaysSoAndWhatToDo() throws {
        // The UMS certificate is valid a year around today; the device clock is five years back.
        let setup = try Setup(certificateYears: 1)
        try setup.settings(link: try setup.ums.serve("EMP-R9HXH.lic", setup.license()))
        let today = TestDay.fromToday()
        try setup.device.directory.write("wfs/license-agent/state.json",
                                         #"{"schemaVersion":1,"trustedTimeMark":"\#(today)T08:00:00Z"}"#)
        let behind = TestDay.fromToday(years: -5)
        let result = try setup.device.agent(["deploy"], at: behind + " 12:00:00")
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("the device clock (\(behind)) is "), "\(result)")
        #expect(result.stderr.contains("days behind the last trusted time (\(today))"), "\(result)")
        #expect(result.stderr.contains("timedatectl"), "\(result)")
        #expect(try setup.device.installedNames().isEmpty)
    }
}
