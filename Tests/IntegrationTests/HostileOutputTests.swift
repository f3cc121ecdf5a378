import Foundation
import Testing
import TestSupport
@testable import LicenseAgent
import LicensePolicy

/// What reaches a terminal, a log or memory from hostile input (CLI.md "File names, output
/// and secrets", "Memory"): control characters are escaped, credentials are masked, and
/// candidates are held one at a time.
@Suite struct HostileOutputTests {
    /// A stick file name with an escape sequence (clear screen, then a forged line) is printed
    /// escaped, never raw.
    @Test func escapeSequenceInAStickFileNameIsPrintedEscaped() throws {
        let device = try DeviceTree()
        _ = try device.directory.makeDirectory("stick")
        try device.writeFile(rawName: "\\033[2J\\033[HPAS-OK.lic", in: "stick",
                             contents: Data("not a license".utf8))
        for arguments in [["import-usb", "--dir", device.directory.appending("stick")],
                          ["import-usb", "--dir", device.directory.appending("stick"), "--json"]] {
            let result = try device.agent(arguments)
            #expect(result.status == 2, "\(result)")
            #expect(!result.stdout.contains("\u{1B}") && !result.stderr.contains("\u{1B}"), "raw escape in \(result)")
            #expect(result.stdout.contains("\\x1b[2J") || result.stdout.contains("\\u001b[2J") || result.stdout.contains("\\\\x1b[2J"),
                    "\(result.stdout)")
        }
    }

    /// Proxy and URL credentials are `***` in every message.
    @Test func credentialsInURLsAreNeverPrinted() throws {
        let device = try DeviceTree()
        let result = try device.agent(["fetch", "https://alice:url-secret@127.0.0.1:9/EMP.lic",
                                       "--proxy", "http://bob:proxy-secret@127.0.0.1:9"])
        #expect(result.status == 1, "\(result)")
        for secret in ["url-secret", "proxy-secret", "alice", "bob"] {
            #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret), "\(secret) printed: \(result)")
        }
        #expect(result.stderr.contains("***@127.0.0.1"), "\(result)")
    }

    @Test func credentialsAreMaskedInAnyText() {
        #expect(Credentials.redacted("via http://u:p@proxy:3128 and ftp://x@h/f") == "via http://***@proxy:3128 and ftp://***@h/f")
        #expect(Credentials.redacted("https://host/path@x") == "https://host/path@x")
        #expect(Credentials.redacted("no url, a@b") == "no url, a@b")
    }

    /// Candidates are read, verified and dropped one at a time: of many offered files only
    /// the bytes of the one that can be installed are held until the install.
    @Test func onlyInstallableCandidatesKeepTheirBytes() throws {
        let device = try DeviceTree()
        let layout = DeviceLayout(root: device.root)
        let verification = LicenseVerification(layout: layout)
        var offered = OfferedCandidates(unit: UnitID(DeviceTree.fixtureUnit))
        let good = Array(try device.sign(DeviceTree.document(licenseId: "good")))
        let other = Array(try device.sign(DeviceTree.document(licenseId: "other", units: ["001122334455"])))
        let junk = Array(repeating: UInt8(ascii: "x"), count: 60_000)
        for index in 0..<200 {
            let bytes = index == 100 ? good : index == 150 ? other : junk
            offered.examine(.init(source: "c\(index).lic", preferredName: FileName("c\(index).lic")) { .success(bytes) },
                            with: verification)
        }
        #expect(offered.items.count == 200)
        #expect(offered.keptBytes.keys.sorted() == [100])
    }
}

/// What an administrator reads when something other than a license is wrong (issue 12,
/// "Messages and machine interface").
@Suite struct OperatorMessageTests {
    @Test func versionAndAgentVersion() throws {
        let device = try DeviceTree()
        let version = try ProcessRunner.run([Umockdev.agent, "--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == BuildInfo.version)
        let status = try device.agent(["status", "--json"]).json()
        #expect(status["agentVersion"] as? String == BuildInfo.version)
    }

    /// Every `--json` answer is one object with `schemaVersion`, errors included.
    @Test(arguments: [["allows", "connect-ums", "--json"], ["allows", "no-such-feature", "--json"],
                      ["features", "--json"], ["status", "--json"], ["unit-id", "--json"],
                      ["may-update", "--release-date", "2026-01-01", "--json"], ["config", "status", "--json"],
                      ["profiles", "list", "--json"], ["remove", "--all", "--dry-run", "--json"],
                      ["import", "/nonexistent.lic", "--json"]])
    func everyJSONAnswerCarriesTheSchemaVersion(arguments: [String]) throws {
        let device = try DeviceTree()
        let result = try device.agent(arguments)
        let object = try result.json()
        #expect(object["schemaVersion"] as? Int == 1, "\(arguments): \(result)")
    }

    @Test func aDeviceThatDoesNotExistIsNamed() throws {
        let device = try DeviceTree()
        let result = try device.agent(["import-usb", "--device", "/dev/sdz9"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.hasPrefix("The device does not exist (/dev/sdz9)"), "\(result)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// Two assigned profiles: the status line says refused and why, with no empty selector.
    @Test func statusLineWithTwoAssignedProfiles() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        try device.directory.write("wfs/license-profiles/A.profile", "name: A\ndescription: a\nselector: all\n")
        try device.directory.write("wfs/license-profiles/B.profile", "name: B\ndescription: b\nselector: evaluation\n")
        let status = try device.agent(["status"])
        let line = try #require(status.stdout.split(separator: "\n").first { $0.hasPrefix("Removal profile:") })
        #expect(!line.contains("()"), "\(line)")
        #expect(line.contains("refused (A, B): 2 removal profiles are assigned"), "\(line)")
    }

    /// A run without root says "run as root", not only "Permission denied".
    @Test(.enabled(if: ProcessRunner.isRoot)) func withoutRootTheSentenceSaysRunAsRoot() throws {
        let device = try DeviceTree()
        let file = try device.candidate("PAS.lic", device.sign(DeviceTree.document()))
        // The unprivileged user must reach the binary and the fixture wherever the checkout
        // lives (under `mktemp -d`, a mode-0700 directory): copies beside the device tree.
        let agent = device.root + "/license-agent", fixture = device.root + "/device.umockdev"
        try ProcessRunner.checked(["cp", Umockdev.agent, agent])
        try ProcessRunner.checked(["cp", try Umockdev.fixture("device"), fixture])
        try ProcessRunner.checked(["chmod", "-R", "a+rX", device.root])
        let result = try ProcessRunner.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                            "umockdev-run", "-d", fixture, "--",
                                            agent, "import", "--root", device.root, "--json", file])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("run it as root"), "\(result)")
        #expect(try result.json()["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "needs-root")
    }
}

extension OperatorMessageTests {
    /// `may-update --version` is an option of its own: a usage error beside it stays a usage
    /// error (exit 64), never the agent's version with exit 0.
    @Test func versionOptionOfMayUpdateIsNotTheAgentsVersion() throws {
        let result = try ProcessRunner.run([Umockdev.agent, "may-update", "--release-date", "2026-01-01",
                                            "--version", "12.5.1", "--root", "/no/such/root"])
        #expect(result.status == 64, "\(result)")
        #expect(!result.stdout.contains(BuildInfo.version) || BuildInfo.version.contains("12.5.1"), "\(result)")
    }
}
