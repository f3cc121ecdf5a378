import Foundation
import Testing
import TestSupport

/// The boot check never leaves the device without an answer (CLI.md): whatever is odd around
/// the licenses — a symlink, a file where a directory belongs, a corrupt marker, a read-only
/// `/wfs`, a FIFO, a timestamp with a long fraction — `check` publishes `state.json` with the
/// licenses verified and the failure in `errors[]`, and it never hangs or traps.
@Suite struct BootCheckAnswersTests {
    /// Runs `check` (bounded by a timeout: a hang is a failure, not a stuck test run) and
    /// returns its result and the published state.
    static func check(_ device: DeviceTree) throws -> (ProcessResult, [String: Any]) {
        let result = try device.agent(["check"], timeout: 30)
        #expect(result.status != 124, "check hung: \(result)")
        return (result, try device.publishedState())
    }

    static func errorPaths(_ state: [String: Any]) -> [String] {
        (state["errors"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
    }

    static func warningCodes(_ state: [String: Any]) -> [String] {
        (state["warnings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
    }

    @Test func symlinkedSettingsFileIsAnErrorNotASilence() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        let target = try device.directory.write("elsewhere.ini", "a=b\n")
        let settings = device.directory.appending("wfs/group.ini")
        try FileManager.default.createSymbolicLink(atPath: settings, withDestinationPath: target)
        let (result, state) = try Self.check(device)
        #expect(result.status == 1, "\(result)")
        #expect(state["licensed"] as? Bool == true)
        #expect(Self.errorPaths(state).contains(settings), "\(state)")
        #expect(result.stderr.contains("WARNING"))
    }

    @Test func aFileWhereTheProfileDirectoryBelongs() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        let profiles = try device.directory.write("wfs/license-profiles", "not a directory")
        let (result, state) = try Self.check(device)
        #expect(result.status == 1, "\(result)")
        #expect(state["licensed"] as? Bool == true)
        #expect(Self.warningCodes(state).contains("profile-refused"), "\(state)")
        #expect(Self.errorPaths(state).contains(profiles), "\(state)")
    }

    /// A profile that may not run because `dsa/licenses` holds a subdirectory: nothing is
    /// removed, the licenses are verified, the answer is published.
    @Test func assignedProfileWithASubdirectoryInTheLicenseDirectory() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        try device.installLicense("EMP.lic", product: "EMP")
        _ = try device.directory.makeDirectory("license/dsa/licenses/archive")
        try device.directory.write("wfs/license-profiles/RemoveAllEnterpriseManagementPackLicenses.profile",
                                   try String(contentsOfFile: Self.shippedProfile("RemoveAllEnterpriseManagementPackLicenses"), encoding: .utf8))
        let (result, state) = try Self.check(device)
        #expect(result.status == 1, "\(result)")
        #expect(state["licensed"] as? Bool == true)
        #expect(Self.errorPaths(state).contains(device.directory.appending("license/dsa/licenses/archive")), "\(state)")
        #expect(try device.installedNames() == ["EMP.lic", "PAS.lic", "archive"])
    }

    /// A marker that is there but unreadable: the configuration counts as frozen (the safe
    /// reading), the failure is listed, the licenses are verified.
    @Test func corruptFreezeMarker() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        let marker = try device.directory.write("wfs/license-agent/frozen/marker.json", "{ not json")
        let (result, state) = try Self.check(device)
        #expect(result.status == 1, "\(result)")
        #expect(state["licensed"] as? Bool == true)
        #expect(Self.errorPaths(state).contains(marker), "\(state)")
        #expect((state["configuration"] as? [String: Any])?["frozen"] as? Bool == true)
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "{ not json", "the marker is kept for the administrator")
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func readOnlyWfs() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        let wfs = device.directory.appending("wfs")
        let result = try LicenseStoreTests.inNamespace("""
            mount -t tmpfs -o ro tmpfs \(wfs)
            set +e
            timeout -k 5 30 \(Umockdev.agent) check --root \(device.root) --json >/dev/null 2>\(device.directory.appending("stderr"))
            echo "EXIT $?"
            """)
        #expect(result.stdout.contains("EXIT 1"), "\(result)")
        let state = try device.publishedState()
        #expect(state["licensed"] as? Bool == true)
        let errors = try #require(state["errors"] as? [[String: Any]])
        #expect(errors.contains { ($0["message"] as? String)?.contains("Read-only file system") == true }, "\(errors)")
    }

    /// A valid RFC 3339 time with a 20-digit fraction in the agent state once trapped every
    /// command with "arithmetic overflow".
    @Test func longFractionInTheAgentStateIsJustATime() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        try device.directory.write("wfs/license-agent/state.json",
                                   #"{"schemaVersion":1,"trustedTimeMark":"2026-11-01T08:00:00.99999999999999999999Z","unitId":"00E0C51C5087"}"#)
        for command in [["status"], ["features"], ["check"]] {
            let result = try device.agent(command, timeout: 30)
            #expect(result.status == 0, "\(command): \(result)")
        }
    }

    @Test func corruptAgentStateIsKeptAsideAndReported() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        let path = try device.directory.write("wfs/license-agent/state.json", "\u{1}garbage")
        let (result, state) = try Self.check(device)
        #expect(result.status == 1, "\(result)")
        #expect(Self.errorPaths(state).contains(path))
        let directory = device.directory.appending("wfs/license-agent")
        let aside = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("state.json.corrupt-") }
        #expect(aside.count == 1, "\(aside)")
        #expect(try String(contentsOfFile: directory + "/" + (aside.first ?? "?"), encoding: .utf8) == "\u{1}garbage")
        #expect(try device.agent(["check"]).status == 0, "the next check starts afresh: \(result)")
        // A second corrupt state is kept beside the first, never over it.
        try device.directory.write("wfs/license-agent/state.json", "\u{2}more garbage")
        _ = try Self.check(device)
        let both = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("state.json.corrupt-") }
        #expect(both.count == 2, "\(both)")
    }

    /// A passing EIO reading state.json: the state is used as absent for that run, reported,
    /// and left in place — the trusted-time mark survives (it once dropped to the clock).
    @Test func aStateThatCannotBeReadOnceKeepsItsMark() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        let mark = TestDay.fromToday(days: 30) + "T08:00:00Z"
        let path = try device.directory.write("wfs/license-agent/state.json",
                                              #"{"schemaVersion":1,"trustedTimeMark":"\#(mark)","unitId":"00E0C51C5087"}"#)
        // Find the reads of state.json, then make each of them fail in turn.
        let trace = device.directory.appending("trace")
        _ = try ProcessRunner.run(try Umockdev.reproducible("device") + ["strace", "-f", "-qq", "-y",
                                   "-o", trace, "-e", "trace=read", Umockdev.agent, "check", "--root", device.root])
        let reads = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").filter { $0.contains(" read(") }
        let calls = reads.indices.filter { reads[$0].contains("wfs/license-agent/state.json>") }.map { $0 + 1 }
        try #require(!calls.isEmpty, "check reads state.json")
        for call in calls {
            try device.directory.write("wfs/license-agent/state.json", #"{"schemaVersion":1,"trustedTimeMark":"\#(mark)","unitId":"00E0C51C5087"}"#)
            let result = try ProcessRunner.run(try Umockdev.reproducible("device") + ["strace", "-f", "-qq",
                                                "-o", "/dev/null", "-e", "inject=read:error=EIO:when=\(call)",
                                                Umockdev.agent, "check", "--json", "--root", device.root])
            #expect(result.status == 1, "EIO at read #\(call) is reported: \(result)")
            #expect(try String(contentsOfFile: path, encoding: .utf8).contains(mark), "EIO at read #\(call): the mark is kept")
            let aside = try FileManager.default.contentsOfDirectory(atPath: device.directory.appending("wfs/license-agent"))
            #expect(!aside.contains { $0.contains("corrupt") }, "EIO at read #\(call): nothing kept aside: \(aside)")
        }
        let after = try device.agent(["status", "--json"]).json()
        #expect((after["trustedTime"] as? String)?.hasPrefix(TestDay.fromToday(days: 30)) == true, "\(after)")
    }

    /// A FIFO in place of `audit.log` once hung `import` and `check` forever, holding the lock.
    @Test func fifoInPlaceOfTheAuditLogHangsNothing() throws {
        let device = try DeviceTree()
        _ = try device.directory.makeDirectory("wfs/license-agent")
        let fifo = device.directory.appending("wfs/license-agent/audit.log")
        #expect(mkfifo(fifo, 0o600) == 0)
        let file = try device.candidate("PAS.lic", device.sign(DeviceTree.document(licenseId: "fifo")))
        let imported = try device.agent(["import", file], timeout: 30)
        #expect(imported.status == 0, "the license is installed although its audit line is missing: \(imported)")
        #expect(imported.stderr.contains("audit-incomplete"), "\(imported)")
        #expect(try device.installedNames() == ["PAS.lic"])

        try device.directory.write("wfs/license-profiles/RemoveAllEvaluationLicenses.profile",
                                   try String(contentsOfFile: Self.shippedProfile("RemoveAllEvaluationLicenses"), encoding: .utf8))
        let (checked, state) = try Self.check(device)
        #expect(checked.status == 1, "\(checked)")
        #expect(state["licensed"] as? Bool == true)
        #expect(Self.errorPaths(state).contains(fifo), "\(state)")
    }

    /// An audit log that cannot be written after a change: the change stands, the command
    /// warns and exits as the change did (CLI.md "Audit log").
    @Test func unwritableAuditLogDoesNotTurnAnInstallIntoAFailure() throws {
        let device = try DeviceTree()
        _ = try device.directory.makeDirectory("wfs/license-agent/audit.log")
        let file = try device.candidate("PAS.lic", device.sign(DeviceTree.document(licenseId: "audit")))
        let imported = try device.agent(["import", file])
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stderr.contains("WARNING (audit-incomplete)"), "\(imported)")
        #expect(try device.installedNames() == ["PAS.lic"])
        try device.installLicense("EMP.lic", product: "EMP")
        let removed = try device.agent(["remove", "--product", "EMP"])
        #expect(removed.status == 0, "\(removed)")
        #expect(removed.stderr.contains("audit-incomplete"))
        #expect(try device.installedNames() == ["PAS.lic"])
    }

    // MARK: Setup problems are named

    @Test func missingKeyringWithoutLicensesIsNotAGreenBoot() throws {
        let device = try DeviceTree(withKeyring: false)
        let status = try device.agent(["status", "--json"])
        #expect(Self.warningCodes(try status.json()).contains("keyring-missing"), "\(status)")
        let (result, state) = try Self.check(device)
        #expect(result.status == 1, "\(result)")
        #expect(Self.warningCodes(state).contains("keyring-missing"))
        #expect(result.stdout.contains("keyring-missing"), "said in the summary: \(result.stdout)")
    }

    @Test func keyringWithoutCertificatesIsUnusable() throws {
        let device = try DeviceTree(withKeyring: false)
        try device.directory.write("etc/license-agent/keyring.pem", "not a certificate\n")
        try device.installLicense("PAS.lic")
        let (result, state) = try Self.check(device)
        #expect(result.status == 1, "\(result)")
        #expect(Self.warningCodes(state).contains("keyring-unusable"))
        #expect((state["licenses"] as? [[String: Any]])?.first?["verdict"] as? String == "untrusted")
        #expect(try device.installedNames() == ["PAS.lic"], "nothing is deleted because of it")
    }

    @Test func missingLicensePartitionIsNamed() throws {
        let device = try DeviceTree()
        try FileManager.default.removeItem(atPath: device.directory.appending("license"))
        let status = try device.agent(["status", "--json"])
        #expect(status.status == 2)
        #expect(Self.warningCodes(try status.json()).contains("license-partition-missing"), "\(status)")
    }

    /// `--root` with a typo is a usage error; nothing is created under it.
    @Test func rootThatDoesNotExistIsAUsageError() throws {
        let device = try DeviceTree()
        let typo = device.directory.appending("no-such-root")
        for command in [["check"], ["status"], ["import", "x.lic"]] {
            let result = try ProcessRunner.run([Umockdev.agent] + command + ["--root", typo])
            #expect(result.status == 64, "\(command): \(result)")
        }
        #expect(!FileManager.default.fileExists(atPath: typo))
    }

    /// A device without `/wfs` (a stock system): the agent never creates it.
    @Test func theAgentNeverCreatesWfs() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        try FileManager.default.removeItem(atPath: device.directory.appending("wfs"))
        let (result, state) = try Self.check(device)
        #expect(state["licensed"] as? Bool == true, "\(result)")
        #expect(!FileManager.default.fileExists(atPath: device.directory.appending("wfs")))
    }

    static func shippedProfile(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Profiles/\(name).profile").path
    }
}

/// A published answer is never stale (CLI.md "One failed syscall never costs the truth").
extension BootCheckAnswersTests {
    /// `/run` full: yesterday's "licensed" must not stand as today's answer.
    @Test(.enabled(if: ProcessRunner.isRoot)) func aFullRunLeavesNoStaleAnswer() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic")
        let run = device.directory.appending("run")
        let state = run + "/license-agent/state.json"
        let result = try ProcessRunner.run(["unshare", "-m", "--propagation", "private", "sh", "-c", """
            mount -t tmpfs -o size=64k tmpfs \(run)
            umockdev-run -d \(try Umockdev.fixture("device")) -- \(Umockdev.agent) check --root \(device.root) >/dev/null 2>&1
            echo "BEFORE $(grep -o '"licensed":[a-z]*' \(state))"
            # Yesterday's answer says licensed; today the license is gone and /run is full.
            rm \(device.licenseDirectory)/PAS.lic
            dd if=/dev/zero of=\(run)/fill bs=1k 2>/dev/null || true
            umockdev-run -d \(try Umockdev.fixture("device")) -- \(Umockdev.agent) check --root \(device.root) >/dev/null 2>\(device.root)/check.err
            echo "STATUS $?"
            if [ -e \(state) ]; then echo "AFTER $(grep -o '"licensed":[a-z]*' \(state))"; else echo "AFTER absent"; fi
            """])
        #expect(result.stdout.contains("BEFORE \"licensed\":true"), "\(result)")
        #expect(result.stdout.contains("STATUS 1"), "\(result)")
        #expect(result.stdout.contains("AFTER \"licensed\":false") || result.stdout.contains("AFTER absent"),
                "never yesterday's answer: \(result)")
        let errors = try String(contentsOfFile: device.root + "/check.err", encoding: .utf8)
        #expect(errors.contains("could not be published"), "\(errors)")
    }
}
