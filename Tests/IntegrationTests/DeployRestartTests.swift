import Foundation
import Testing
import TestSupport

/// What `deploy` does after it installed something (DELIVERY.md step 4) and when it asks the
/// UMS although the settings point to nothing new (steps 2–3): the built binary, the loopback
/// UMS stand-in, a recording reboot script and a `prompt_command` that answers as a user would.
@Suite struct DeployRestartTests {
    typealias Setup = DeployTests.Setup

    /// A device whose agent.conf has a `prompt_command` (unless `answer` is nil) that records
    /// the reason it was given in the returned file and answers with exit `answer`.
    static func setup(answer: Int32?) throws -> (Setup, String) {
        let setup = try Setup()
        let answers = setup.device.directory.appending("prompt-answers")
        guard let answer else { return (setup, answers) }
        let script = try setup.device.directory.write("prompt.sh", """
            #!/bin/sh
            echo "asked: $LICENSE_AGENT_REASON" >> '\(answers)'
            exit \(answer)

            """, mode: 0o755)
        let config = setup.device.directory.appending("etc/license-agent/agent.conf")
        let existing = try String(contentsOfFile: config, encoding: .utf8)
        try setup.device.directory.write("etc/license-agent/agent.conf", existing + "prompt_command=\(script)\n")
        return (setup, answers)
    }

    static func answers(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func byDefaultTheUserIsAskedAndALaterAnswerDoesNotReboot() throws {
        let (setup, answers) = try Self.setup(answer: 1)
        let link = try setup.ums.serve("EMP-R9HXH.lic", setup.license())
        try setup.settings(link: link, prompt: nil)
        let result = try setup.deploy()
        #expect(result.status == 0, "\(result)")
        #expect(Self.answers(answers) == ["asked: license deployed from \(link)"])
        #expect(setup.rebootCount() == 0, "the user chose later")
        #expect(try result.json()["rebootRequested"] as? Bool == false)
        #expect(result.stderr.contains("chose to restart later"), "\(result)")
        #expect(FileManager.default.fileExists(atPath: setup.rebootMarker), "status warns until the next boot")
        #expect(setup.deployAudit().contains { $0["outcome"] as? String == "user chose to restart later" })
    }

    @Test func aYesReboots() throws {
        let (setup, answers) = try Self.setup(answer: 0)
        try setup.settings(link: try setup.ums.serve("EMP-R9HXH.lic", setup.license()), prompt: nil)
        let result = try setup.deploy()
        #expect(result.status == 0, "\(result)")
        #expect(Self.answers(answers).count == 1)
        #expect(setup.rebootCount() == 1)
        #expect(try result.json()["rebootRequested"] as? Bool == true)
    }

    @Test func withoutAPromptCommandNothingRebootsAndTheMarkerStays() throws {
        let (setup, _) = try Self.setup(answer: nil)
        try setup.settings(link: try setup.ums.serve("EMP-R9HXH.lic", setup.license()), prompt: true)
        let result = try setup.deploy()
        #expect(result.status == 0, "\(result)")
        #expect(setup.rebootCount() == 0)
        #expect(result.stderr.contains("no prompt_command="), "\(result)")
        let status = try setup.device.agent(["status"])
        #expect(status.stdout.contains("WARNING (reboot-required)"), "\(status)")
    }

    @Test func falseRebootsWithoutAsking() throws {
        let (setup, answers) = try Self.setup(answer: 1)
        try setup.settings(link: try setup.ums.serve("EMP-R9HXH.lic", setup.license()), prompt: false)
        #expect(try setup.deploy().status == 0)
        #expect(Self.answers(answers).isEmpty, "nobody is asked")
        #expect(setup.rebootCount() == 1)
    }

    @Test func aRenewalThatIsNotValidYetNeedsNoRestart() throws {
        let (setup, answers) = try Self.setup(answer: 0)
        try setup.device.installLicense("PAS.lic", product: "PAS", starts: "2026-01-01", expires: TestDay.fromToday(days: 10))
        let renewal = try setup.license(product: "PAS", starts: TestDay.fromToday(days: 11), expires: TestDay.fromToday(days: 400))
        try setup.settings(link: try setup.ums.serve("PAS-RENEWAL.lic", renewal), prompt: nil)
        let result = try setup.deploy()
        #expect(result.status == 0, "\(result)")
        #expect(try setup.device.installedNames() == ["PAS-RENEWAL.lic", "PAS.lic"])
        #expect(try result.json()["rebootRequired"] as? Bool == false)
        #expect(Self.answers(answers).isEmpty, "nothing changes today: nobody is asked")
        #expect(setup.rebootCount() == 0)
        #expect(!FileManager.default.fileExists(atPath: setup.rebootMarker))
    }

    @Test func aValidRenewalOfARunningProductNeedsNoRestartButANewProductDoes() throws {
        let (setup, answers) = try Self.setup(answer: 0)
        try setup.device.installLicense("PAS.lic", product: "PAS", starts: "2026-01-01", expires: TestDay.fromToday(days: 10))
        let renewal = try setup.license(product: "PAS", starts: "2026-01-01", expires: TestDay.fromToday(days: 400))
        try setup.settings(link: try setup.ums.serve("PAS-RENEWAL.lic", renewal), prompt: nil)
        let continued = try setup.deploy()
        #expect(continued.status == 0, "\(continued)")
        #expect(try continued.json()["rebootRequired"] as? Bool == false, "the PAS was running: nothing changes")
        #expect(Self.answers(answers).isEmpty)

        try setup.settings(link: try setup.ums.serve("EMP.lic", setup.license(product: "EMP")), prompt: nil)
        let added = try setup.deploy()
        #expect(try added.json()["rebootRequired"] as? Bool == true, "EMP was not running: \(added)")
        #expect(Self.answers(answers).count == 1)
        #expect(setup.rebootCount() == 1)
    }

    /// The settings still hold an old link (answering 304) and the PAS runs out: the UMS is
    /// asked as well (its poll, a GET; the report of the installation is a POST), and the
    /// renewal it names is installed.
    @Test func anUnchangedLinkOnAnExpiringDeviceStillAsksTheUMS() throws {
        let setup = try Setup()
        let old = try setup.license(product: "PAS", starts: "2026-01-01", expires: TestDay.fromToday(days: 10))
        let link = try setup.ums.serve("PAS.lic", old)
        try setup.settings(link: link)
        #expect(try setup.deploy().status == 0)
        #expect(setup.ums.requests().filter { $0.method == "GET" && $0.path.hasPrefix("/v1/devices/") }.isEmpty, "the link delivered something new")

        let renewal = try setup.license(product: "PAS", starts: "2026-01-01", expires: TestDay.fromToday(days: 400))
        try setup.ums.offer(try setup.ums.serve("PAS-RENEWAL.lic", renewal), to: DeviceTree.fixtureUnit)
        let second = try setup.deploy()
        #expect(second.status == 0, "\(second)")
        #expect(setup.downloads(of: "/licenses/PAS.lic").last?.status == 304)
        #expect(try setup.device.installedNames() == ["PAS-RENEWAL.lic", "PAS.lic"])
        #expect(setup.ums.requests().filter { $0.method == "GET" && $0.path.hasPrefix("/v1/devices/") }.count == 1)
    }

    @Test func anExpiringEMPAsksTooButACurrentDeviceDoesNot() throws {
        let setup = try Setup()
        try setup.device.installLicense("PAS.lic", product: "PAS")
        try setup.device.installLicense("EMP.lic", product: "EMP", starts: "2026-01-01", expires: TestDay.fromToday(days: 10))
        try setup.settings(link: nil)
        let asked = try setup.deploy()
        #expect(asked.status == 0, "\(asked)")
        #expect(try asked.json()["step"] as? String == "no-license-yet")
        #expect(setup.ums.requests().count == 1)

        let current = try Setup()
        try current.device.installLicense("PAS.lic", product: "PAS")
        try current.device.installLicense("EMP.lic", product: "EMP")
        try current.settings(link: nil)
        #expect(try current.deploy().json()["step"] as? String == "nothing-to-do")
        #expect(current.ums.requests().isEmpty)
    }
}
