import Foundation
import Testing
import TestSupport

/// `config apply` after its commit point (CLI.md "The commit point decides"): once the new
/// settings file is in place, a missing audit line or a failed last-good record is said,
/// never reported as a failed apply.
@Suite struct ConfigApplyCommitTests {
    @Test func anAuditLogThatCannotBeWrittenDoesNotFailTheApply() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", product: "PAS", starts: "2026-01-01", expires: "2026-12-31")
        try device.directory.write("wfs/group.ini", "userinterface.theme=dark\n")
        try FileManager.default.createDirectory(atPath: device.directory.appending("wfs/license-agent/audit.log"),
                                                withIntermediateDirectories: true)
        let candidate = try device.candidate("new.ini", Data("userinterface.theme=light\n".utf8))
        let applied = try FrozenConfigurationTests.agent(device, ["config", "apply"], [candidate], at: "2026-12-15 09:05:00")
        #expect(applied.status == 0, "\(applied)")
        #expect(applied.stderr.contains("WARNING (audit-incomplete)"), "\(applied)")
        #expect(FrozenConfigurationTests.settings(device) == "userinterface.theme=light\n")
    }
}
