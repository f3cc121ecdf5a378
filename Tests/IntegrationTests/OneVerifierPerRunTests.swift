import Foundation
import Testing
import TestSupport

/// One verifier per run: with a removal profile assigned, `check` and `profiles run` verify the
/// licenses for the removal and again for the answer, and both times with the same verifier,
/// so the keyring is read (and parsed) once. Counted as the keyring opens the built agent
/// makes, under strace.
@Suite struct OneVerifierPerRunTests {
    /// A device with a PAS and an evaluation license, the shipped profile that removes
    /// evaluations assigned when `profile` is set.
    func device(profile: Bool) throws -> DeviceTree {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", licenseId: "PAS-1")
        try device.installLicense("WE-E.lic", product: "WE-E", model: "evaluation", licenseId: "EVAL-1")
        if profile {
            let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Profiles/RemoveAllEvaluationLicenses.profile").path
            try device.directory.write("wfs/license-profiles/RemoveAllEvaluationLicenses.profile",
                                       try String(contentsOfFile: shipped, encoding: .utf8))
        }
        return device
    }

    /// `license-agent ARGUMENTS… --root ROOT` under umockdev and strace, and how many times it
    /// opened the keyring successfully.
    func keyringOpens(_ device: DeviceTree, _ arguments: [String]) throws -> (result: ProcessResult, opens: Int) {
        let trace = device.directory.appending("keyring-trace-\(UUID().uuidString)")
        let result = try ProcessRunner.run(["umockdev-run", "-d", try Umockdev.fixture("device"), "--",
                                            "strace", "-f", "-qq", "-y", "-o", trace, "-e", "trace=open,openat,openat2",
                                            Umockdev.agent] + arguments + ["--root", device.root])
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
        let opens = lines.filter { $0.contains("keyring.pem") && !$0.contains("= -1") }.count
        return (result, opens)
    }

    @Test func checkWithAProfileReadsTheKeyringOnce() throws {
        let device = try device(profile: true)
        let (result, opens) = try keyringOpens(device, ["check"])
        #expect(result.status == 0, "\(result)")
        #expect(try device.installedNames() == ["PAS.lic"], "the profile ran")
        #expect(opens == 1, "the keyring was opened \(opens) times")
    }

    @Test func checkWithoutAProfileReadsTheKeyringOnce() throws {
        let device = try device(profile: false)
        let (result, opens) = try keyringOpens(device, ["check"])
        #expect(result.status == 0, "\(result)")
        #expect(opens == 1, "the keyring was opened \(opens) times")
    }

    @Test func profilesRunReadsTheKeyringOnce() throws {
        let device = try device(profile: true)
        let (result, opens) = try keyringOpens(device, ["profiles", "run"])
        #expect(result.status == 0, "\(result)")
        #expect(try device.installedNames() == ["PAS.lic"], "the profile ran")
        #expect(opens == 1, "the keyring was opened \(opens) times")
    }
}
