import Foundation
import LicenseAgent
import LicensePlatform
import LicensePolicy
import Testing
import TestSupport

/// The frozen-configuration lifecycle on a real temp device tree, in process: freeze,
/// keep, restore a change made behind the agent's back, refuse `config apply`, thaw.
@Suite struct ConfigurationGuardTests {
    static let expiredOn = CalendarDay(parsing: "2026-10-31")!
    static let now = Timestamp(rfc3339: "2026-11-29T08:00:00Z")!
    static let original = "network.proxy.host=proxy.example.com\nuserinterface.theme=dark\n"

    static let expiredPAS = ProductStatus(product: "PAS", state: .expired, model: .subscription,
                                          starts: CalendarDay(parsing: "2025-11-01")!, expires: expiredOn, daysLeft: nil)
    static let renewedPAS = ProductStatus(product: "PAS", state: .active, model: .subscription,
                                          starts: CalendarDay(parsing: "2026-11-29")!,
                                          expires: CalendarDay(parsing: "2027-11-28")!, daysLeft: 364)

    /// A device tree with a settings file, and the guard over it.
    struct Device {
        let directory: TemporaryDirectory
        let guard_: ConfigurationGuard
        var settingsPath: String { directory.appending("wfs/group.ini") }

        init(settings: String? = ConfigurationGuardTests.original) throws {
            directory = try TemporaryDirectory("config-guard")
            _ = try directory.makeDirectory("wfs")
            if let settings { try directory.write("wfs/group.ini", settings) }
            guard_ = ConfigurationGuard(layout: DeviceLayout(root: directory.path))
        }

        func settings() -> String? { try? String(contentsOfFile: settingsPath, encoding: .utf8) }

        func auditActions() -> [[String: Any]] {
            let text = (try? String(contentsOfFile: directory.appending("wfs/license-agent/audit.log"), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }

        func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: directory.appending(relative)) }

        func names(in relative: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: directory.appending(relative))) ?? []).sorted()
        }

        @discardableResult
        func freeze() throws -> ConfigurationState {
            try guard_.enforce(generation: .os12, pas: ConfigurationGuardTests.expiredPAS, now: ConfigurationGuardTests.now)
        }
    }

    static func sha256(_ path: String) throws -> String {
        let result = try ProcessRunner.checked(["openssl", "dgst", "-sha256", "-r", path])
        return String(result.stdout.prefix(64))
    }

    @Test func digestMatchesKnownVectors() throws {
        #expect(try Digest.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try Digest.sha256Hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func firstCheckAfterExpiryTakesTheSnapshot() throws {
        let device = try Device()
        #expect(try device.guard_.state() == .notFrozen)
        let state = try device.freeze()
        #expect(state.frozen)
        #expect(state.action == .freeze(pasExpired: Self.expiredOn))
        #expect(state.since == Self.expiredOn, "dated from the PAS's expiry day")
        #expect(state.pasExpired == Self.expiredOn)
        #expect(state.snapshotSource == .found, "never seen with an active PAS: what it finds is frozen")
        #expect(state.snapshotDigest == (try Self.sha256(device.settingsPath)))
        let snapshot = try String(contentsOfFile: device.guard_.snapshotPath, encoding: .utf8)
        #expect(snapshot == Self.original)
        let marker = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: device.guard_.markerPath))) as? [String: Any])
        #expect(marker["since"] as? String == "2026-10-31")
        #expect(marker["snapshotSource"] as? String == "found")
        #expect(marker["pasExpired"] as? String == "2026-10-31")
        #expect(marker["digest"] as? String == state.snapshotDigest)
        #expect(device.settings() == Self.original, "freezing never changes the settings")
        #expect(device.auditActions().map { $0["action"] as? String } == ["config-freeze"])
        let reread = try device.guard_.state()
        #expect(reread.frozen && reread.since == Self.expiredOn && reread.snapshotDigest == state.snapshotDigest)
        #expect(!device.names(in: "wfs/license-agent/frozen").contains { $0.contains(".tmp-") })
    }

    @Test func unchangedSettingsAreKeptWithoutLogging() throws {
        let device = try Device()
        try device.freeze()
        let again = try device.freeze()
        #expect(again.action == .keep)
        #expect(again.frozen)
        #expect(device.auditActions().count == 1)
    }

    @Test func applyIsRefusedWhileFrozen() throws {
        let device = try Device()
        try device.freeze()
        let candidate = try device.directory.write("incoming/new.ini", "userinterface.theme=light\n")
        let error = #expect(throws: AgentError.self) { try device.guard_.apply(newFile: candidate, now: Self.now) }
        #expect(error?.code == .refused)
        #expect(error?.exitStatus == 2)
        #expect(error?.sentence.contains("2026-10-31") == true)
        #expect(error?.sentence.contains("Import a renewed PAS license to lift the freeze") == true)
        #expect(device.settings() == Self.original)
        #expect(!device.exists("wfs/group.ini.previous"))
        let last = try #require(device.auditActions().last)
        #expect(last["action"] as? String == "config-apply")
        #expect(last["outcome"] as? String == "refused")
    }

    @Test func changeBehindTheAgentsBackIsRestoredAndKept() throws {
        let device = try Device()
        try device.freeze()
        try device.directory.write("wfs/group.ini", "userinterface.theme=hacked\n")
        let state = try device.freeze()
        #expect(state.action == .restore)
        #expect(state.frozen)
        #expect(device.settings() == Self.original)
        let aside = device.names(in: "wfs/license-agent/frozen").filter { $0.hasPrefix("group.ini.reverted-") }
        #expect(aside == ["group.ini.reverted-20261129T080000Z"])
        let kept = try String(contentsOfFile: device.directory.appending("wfs/license-agent/frozen/\(aside[0])"), encoding: .utf8)
        #expect(kept == "userinterface.theme=hacked\n", "nothing the administrator wrote is lost without a copy")
        let last = try #require(device.auditActions().last)
        #expect(last["action"] as? String == "config-restore")
        #expect((last["files"] as? [String])?.count == 2)
        #expect(try device.freeze().action == .keep)
    }

    @Test func deletedSettingsFileIsRestored() throws {
        let device = try Device()
        try device.freeze()
        try FileManager.default.removeItem(atPath: device.settingsPath)
        #expect(try device.freeze().action == .restore)
        #expect(device.settings() == Self.original)
    }

    @Test func frozenWithoutSettingsFileRemovesANewOneButKeepsACopy() throws {
        let device = try Device(settings: nil)
        let state = try device.freeze()
        #expect(state.frozen)
        #expect(state.snapshotDigest == nil)
        try device.directory.write("wfs/group.ini", "added=1\n")
        #expect(try device.freeze().action == .restore)
        #expect(!device.exists("wfs/group.ini"))
        #expect(device.names(in: "wfs/license-agent/frozen").contains { $0.hasPrefix("group.ini.reverted-") })
    }

    @Test func tamperedSnapshotIsNotRestored() throws {
        let device = try Device()
        try device.freeze()
        try Data("forged=1\n".utf8).write(to: URL(fileURLWithPath: device.guard_.snapshotPath))
        try device.directory.write("wfs/group.ini", "changed=1\n")
        let error = #expect(throws: AgentError.self) { try device.freeze() }
        #expect(error?.code == .invalidData)
        #expect(device.settings() == "changed=1\n")
    }

    @Test func renewalThawsAndKeepsTheSnapshotCopy() throws {
        let device = try Device()
        try device.freeze()
        let state = try device.guard_.enforce(generation: .os12, pas: Self.renewedPAS, now: Self.now.adding(seconds: 60))
        #expect(state.action == .thaw)
        #expect(!state.frozen)
        #expect(try device.guard_.state() == .notFrozen)
        #expect(!device.exists("wfs/license-agent/frozen/marker.json"))
        #expect(!device.exists("wfs/license-agent/frozen/group.ini"))
        #expect(try String(contentsOfFile: device.guard_.thawedCopyPath, encoding: .utf8) == Self.original)
        #expect(device.auditActions().map { $0["action"] as? String } == ["config-freeze", "config-thaw", "config-last-good"],
                "the active PAS makes the thawed settings the last good configuration")
        // Once thawed, a new settings file goes in.
        let candidate = try device.directory.write("incoming/new.ini", "userinterface.theme=light\n")
        #expect(try device.guard_.apply(newFile: candidate, now: Self.now).previous != nil)
        #expect(device.settings() == "userinterface.theme=light\n")
    }

    @Test func applyReplacesAtomicallyAndKeepsThePrevious() throws {
        let device = try Device()
        let candidate = try device.directory.write("incoming/new.ini", "# new\nuserinterface.theme=light\n")
        let applied = try device.guard_.apply(newFile: candidate, now: Self.now)
        #expect(applied.previous == device.guard_.previousSettingsPath)
        #expect(!applied.deliveryKeysOnly)
        #expect(device.settings() == "# new\nuserinterface.theme=light\n")
        #expect(try String(contentsOfFile: device.directory.appending("wfs/group.ini.previous"), encoding: .utf8) == Self.original)
        #expect(device.names(in: "wfs").filter { $0.contains(".tmp-") }.isEmpty)
        let last = try #require(device.auditActions().last)
        #expect(last["action"] as? String == "config-apply")
        #expect(last["outcome"] as? String == "applied")
    }

    @Test func applyOnADeviceWithoutSettingsKeepsNoPrevious() throws {
        let device = try Device(settings: nil)
        let candidate = try device.directory.write("incoming/new.ini", "a=1\n")
        #expect(try device.guard_.apply(newFile: candidate, now: Self.now).previous == nil)
        #expect(device.settings() == "a=1\n")
    }

    @Test func applyRefusesAFileThatIsNotKeyValue() throws {
        let device = try Device()
        let candidate = try device.directory.write("incoming/bad.ini", "a=1\nthis is not a setting\n")
        let error = #expect(throws: AgentError.self) { try device.guard_.apply(newFile: candidate, now: Self.now) }
        #expect(error?.code == .invalidData)
        #expect(error?.exitStatus == 1)
        #expect(error?.sentence.contains("line 2") == true)
        #expect(device.settings() == Self.original)
        let missing = #expect(throws: AgentError.self) {
            try device.guard_.apply(newFile: device.directory.appending("incoming/none.ini"), now: Self.now)
        }
        #expect(missing?.code == .io)
    }

    @Test func os11NeverFreezes() throws {
        let device = try Device()
        let state = try device.guard_.enforce(generation: .os11, pas: Self.expiredPAS, now: Self.now)
        #expect(state == .notFrozen)
        #expect(!device.exists("wfs/license-agent/frozen/marker.json"))
    }

    @Test func removingTheExpiredPASDoesNotThaw() throws {
        let device = try Device()
        try device.freeze()
        #expect(try device.guard_.enforce(generation: .os12, pas: nil, now: Self.now).action == .keep)
        #expect(try device.guard_.state().frozen)
    }

    @Test func unreadableMarkerIsAnError() throws {
        let device = try Device()
        try device.directory.write("wfs/license-agent/frozen/marker.json", "{not json")
        let error = #expect(throws: AgentError.self) { try device.guard_.state() }
        #expect(error?.code == .invalidData)
    }
}
