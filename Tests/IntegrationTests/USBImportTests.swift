import Foundation
import TestSupport
import Testing

/// `license-agent import-usb`: a directory stick with hostile entries, a real ext4 stick on a
/// loop device mounted in a private mount namespace, and sticks found through libudev
/// (already present, inserted with a udev event, inserted without one) in umockdev testbeds.
@Suite struct USBImportTests {
    // MARK: --dir

    @Test func directoryStickInstallsOnlyTheGoodLicenseAndGivesEachOtherEntryItsReason() throws {
        let fixture = try ImportSourceFixture("usb-dir")
        let unit = ImportSourceFixture.machineUnit
        try #require(!unit.isEmpty, "this machine needs a unit ID for the test")
        let stick = try fixture.directory.makeDirectory("stick")
        let secret = try fixture.directory.write("secret.txt", "root:TOPSECRET\n", mode: 0o600)
        try fixture.license(id: "USB-GOOD", units: [unit]).write(to: URL(fileURLWithPath: stick + "/good.lic"))
        try fixture.license(id: "USB-OTHER", units: ["00E0C5000001"]).write(to: URL(fileURLWithPath: stick + "/other.lic"))
        try FileManager.default.createSymbolicLink(atPath: stick + "/secret.lic", withDestinationPath: secret)
        try ProcessRunner.checked(["mkfifo", stick + "/pipe.lic"])
        try ProcessRunner.checked(["truncate", "-s", "5M", stick + "/big.lic"])
        try fixture.directory.write("stick/readme.txt", "not a license")

        let result = try fixture.agent("import-usb", ["--dir", stick, "--json"])
        #expect(result.status == 0, "\(result)")
        let results = try ImportSourceFixture.results(result)
        #expect(results.count == 5, "readme.txt is not a candidate: \(results.keys.sorted())")
        #expect(results["good.lic"]?["verdict"] as? String == "valid")
        #expect(results["good.lic"]?["installedAs"] as? String == "good.lic")
        #expect(results["other.lic"]?["verdict"] as? String == "other-unit")
        #expect(results["other.lic"]?["installedAs"] is NSNull)
        for (name, reason) in [("secret.lic", "symbolic link"), ("pipe.lic", "FIFO"), ("big.lic", "larger than the limit")] {
            #expect(results[name]?["verdict"] as? String == "malformed", "\(name): \(results[name] ?? [:])")
            #expect((results[name]?["detail"] as? String)?.contains(reason) == true, "\(name): \(results[name] ?? [:])")
            #expect(results[name]?["installedAs"] is NSNull)
        }
        #expect(try fixture.installed() == ["good.lic"])
        let installed = try Data(contentsOf: URL(fileURLWithPath: fixture.licenseDirectory + "/good.lic"))
        #expect(!String(decoding: installed, as: UTF8.self).contains("TOPSECRET"))
    }

    @Test func directoryWithoutLicensesIsARefusal() throws {
        let fixture = try ImportSourceFixture("usb-empty")
        let stick = try fixture.directory.makeDirectory("stick")
        try fixture.directory.write("stick/notes.txt", "nothing here")
        let result = try fixture.agent("import-usb", ["--dir", stick])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("No license file (*.lic) was found"))
        #expect(try fixture.installed().isEmpty)
    }

    @Test func conflictingSourcesAreAUsageError() throws {
        let fixture = try ImportSourceFixture("usb-usage")
        let result = try fixture.agent("import-usb", ["--dir", fixture.root, "--device", "/dev/null"])
        #expect(result.status == 64, "\(result)")
        let waiting = try fixture.agent("import-usb", ["--dir", fixture.root, "--wait", "3"])
        #expect(waiting.status == 64, "\(waiting)")
    }

    // MARK: --device: a real ext4 stick

    /// Stick contents: a license for `unit`, a symlink to an absolute secret, a second license.
    func stickContents(_ fixture: ImportSourceFixture, unit: String) throws -> String {
        let contents = try fixture.directory.makeDirectory("contents")
        try fixture.license(id: "STICK-1", units: [unit]).write(to: URL(fileURLWithPath: contents + "/EMP-STICK1.lic"))
        try FileManager.default.createSymbolicLink(atPath: contents + "/link.lic", withDestinationPath: "/etc/hostname")
        return contents
    }

    /// `ARGUMENTS` inside `unshare -m --propagation private`, after running `setup` (sh) there.
    func inPrivateNamespace(setup: String = "true", _ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run(["unshare", "-m", "--propagation", "private", "/bin/sh", "-c",
                               "\(setup) && exec \"$@\"", "sh"] + arguments)
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func ext4StickOnALoopDeviceIsMountedReadOnlyAndCleanedUp() throws {
        let fixture = try ImportSourceFixture("usb-device")
        let unit = ImportSourceFixture.machineUnit
        try #require(!unit.isEmpty)
        let stick = try StickImage(populatedFrom: try stickContents(fixture, unit: unit), in: fixture.directory)

        let result = try inPrivateNamespace([Umockdev.agent, "import-usb", "--root", fixture.root,
                                             "--device", stick.device, "--json", "--verbose"])
        #expect(result.status == 0, "\(result)")
        let results = try ImportSourceFixture.results(result)
        #expect(results["EMP-STICK1.lic"]?["installedAs"] as? String == "EMP-STICK1.lic", "\(result)")
        #expect(results["link.lic"]?["verdict"] as? String == "malformed")
        #expect((results["link.lic"]?["detail"] as? String)?.contains("symbolic link") == true)
        #expect((results["EMP-STICK1.lic"]?["source"] as? String) == stick.device + ":/EMP-STICK1.lic")
        #expect(result.stderr.contains("mounted read-only as ext4"), "\(result.stderr)")
        #expect(result.stderr.contains("filesystem ext4 (libblkid"), "\(result.stderr)")
        #expect(try fixture.installed() == ["EMP-STICK1.lic"])
        // Nothing left behind: no mount directory, no mount (here or leaked from the namespace).
        let runtime = (try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/run/license-agent")) ?? []
        #expect(runtime.filter { $0.hasPrefix("usb-") }.isEmpty, "\(runtime)")
        #expect(!stick.isMountedHere)
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func aDeviceWithoutAKnownFilesystemIsReportedNotMounted() throws {
        let fixture = try ImportSourceFixture("usb-blank")
        let blank = fixture.directory.appending("blank.img")
        try ProcessRunner.checked(["truncate", "-s", "1M", blank])
        let device = try ProcessRunner.checked(["losetup", "-f", "--show", blank]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? ProcessRunner.run(["losetup", "-d", device]) }

        let result = try inPrivateNamespace([Umockdev.agent, "import-usb", "--root", fixture.root, "--device", device, "--json"])
        #expect(result.status == 2, "\(result)")
        let entry = try #require((try result.json()["results"] as? [[String: Any]])?.first)
        #expect(entry["source"] as? String == device)
        // No filesystem type is guessed by mounting: libblkid (udev knows no loop device here) finds none.
        #expect((entry["detail"] as? String)?.contains("carries no filesystem that udev or libblkid recognises") == true, "\(entry)")
        let runtime = (try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/run/license-agent")) ?? []
        #expect(runtime.filter { $0.hasPrefix("usb-") }.isEmpty, "\(runtime)")
    }

    // MARK: libudev: enumeration and --wait under umockdev

    static var hotplugScript: String {
        URL(fileURLWithPath: Umockdev.fixturesDirectory).appendingPathComponent("hotplug_stick.py").path
    }

    /// Runs the agent under the hotplug testbed, in a private mount namespace whose `/run` is
    /// a fresh tmpfs: with `udevDaemon`, `/run/udev/control` exists there (the agent trusts
    /// the monitor and does not re-scan); without, it does not (no monitor, re-scan every 0.5 s).
    func underTestbed(_ stick: StickImage, when: String, udevDaemon: Bool, fileSystemType: String = "ext4",
                      extraSetup: String = "true", _ agentArguments: [String]) throws -> ProcessResult {
        let setup = "mount -t tmpfs -o mode=0755 tmpfs /run && mkdir -p /run/udev"
            + (udevDaemon ? " && touch /run/udev/control" : "") + " && " + extraSetup
        let script = [try ProcessRunner.resolve("umockdev-wrapper"), LoopbackTestServer.python, Self.hotplugScript,
                      "--devname", stick.device, "--number", "\(stick.major):\(stick.minor)", "--when", when,
                      "--fs-type", fileSystemType]
        return try inPrivateNamespace(setup: setup, script + ["--", Umockdev.agent] + agentArguments)
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func stickPresentAtStartIsFoundByEnumeration() throws {
        let fixture = try ImportSourceFixture("usb-enumerate")
        let stick = try StickImage(populatedFrom: try stickContents(fixture, unit: ImportSourceFixture.testbedUnit),
                                   in: fixture.directory)
        let result = try underTestbed(stick, when: "before", udevDaemon: false,
                                      ["import-usb", "--root", fixture.root, "--json", "--verbose"])
        #expect(result.status == 0, "\(result)")
        // Only the stick's partition: not the SATA disk, not the empty card reader, not the partitioned disk.
        #expect(result.stderr.contains("USB filesystems present: \(stick.device) (ext4)\n"), "\(result.stderr)")
        #expect(try fixture.installed() == ["EMP-STICK1.lic"])
        #expect(!stick.isMountedHere)
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func stickInsertedWhileWaitingIsSeenThroughTheUdevMonitor() throws {
        let fixture = try ImportSourceFixture("usb-wait-monitor")
        let stick = try StickImage(populatedFrom: try stickContents(fixture, unit: ImportSourceFixture.testbedUnit),
                                   in: fixture.directory)
        let result = try underTestbed(stick, when: "after", udevDaemon: true,
                                      ["import-usb", "--root", fixture.root, "--wait", "20", "--json", "--verbose"])
        #expect(result.status == 0, "\(result)")
        // The disk's event may already find the partition, so sdb1's own event may not be read.
        #expect(result.stderr.contains("udev reported add of sdb"), "\(result.stderr)")
        #expect(result.stderr.contains("found after the udev event"), "\(result.stderr)")
        #expect(try fixture.installed() == ["EMP-STICK1.lic"])
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func withoutAUdevDaemonTheWaitFallsBackToRescanning() throws {
        let fixture = try ImportSourceFixture("usb-wait-poll")
        let stick = try StickImage(populatedFrom: try stickContents(fixture, unit: ImportSourceFixture.testbedUnit),
                                   in: fixture.directory)
        // No /run/udev/control: the agent opens no monitor, so only re-enumeration can find the stick.
        let result = try underTestbed(stick, when: "after", udevDaemon: false,
                                      ["import-usb", "--root", fixture.root, "--wait", "20", "--json", "--verbose"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("found on re-scan"), "\(result.stderr)")
        #expect(!result.stderr.contains("udev reported"), "\(result.stderr)")
        #expect(try fixture.installed() == ["EMP-STICK1.lic"])
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func waitingEndsWithAClearMessageWhenNoStickComes() throws {
        let fixture = try ImportSourceFixture("usb-wait-none")
        let stick = try StickImage(populatedFrom: try stickContents(fixture, unit: ImportSourceFixture.testbedUnit),
                                   in: fixture.directory)
        // The script inserts only after the "waiting" line; without --verbose there is none.
        let result = try underTestbed(stick, when: "after", udevDaemon: true,
                                      ["import-usb", "--root", fixture.root, "--wait", "1"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("No USB storage device was inserted within 1 seconds"), "\(result.stderr)")
        #expect(try fixture.installed().isEmpty)
    }

    // MARK: --device as the udev rule's unit passes it

    @Test(.enabled(if: ProcessRunner.isRoot)) func theFilesystemTypeIsUdevsNotFoundByTryingMounts() throws {
        let fixture = try ImportSourceFixture("usb-udev-type")
        let stick = try StickImage(populatedFrom: try stickContents(fixture, unit: ImportSourceFixture.testbedUnit),
                                   in: fixture.directory)
        // udev's database says vfat; the image is ext4. Mounting by trial would find ext4 and import.
        let result = try underTestbed(stick, when: "before", udevDaemon: true, fileSystemType: "vfat",
                                      ["import-usb", "--root", fixture.root, "--device", stick.device, "--json", "--verbose"])
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("filesystem vfat (udev's ID_FS_TYPE)"), "\(result.stderr)")
        let entry = try #require((try result.json()["results"] as? [[String: Any]])?.first)
        #expect((entry["detail"] as? String)?.contains("could not mount it read-only as vfat") == true, "\(entry)")
        #expect(!result.stderr.contains("as ext4"), "\(result.stderr)")
        #expect(try fixture.installed().isEmpty)
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func theUDPocketTheSystemRunsFromIsNeverMounted() throws {
        let fixture = try ImportSourceFixture("usb-pocket")
        let stick = try StickImage(populatedFrom: try stickContents(fixture, unit: ImportSourceFixture.testbedUnit),
                                   in: fixture.directory)
        // The stick's partition is this system's /license: the UD Pocket case. The udev rule
        // starts the import for every USB filesystem, so --device names it at every boot.
        let result = try underTestbed(stick, when: "before", udevDaemon: true,
                                      extraSetup: "mount -o ro \(stick.device) \(fixture.root)/license",
                                      ["import-usb", "--root", fixture.root, "--device", stick.device, "--json", "--verbose"])
        #expect(result.status == 2, "\(result)")
        let entry = try #require((try result.json()["results"] as? [[String: Any]])?.first)
        #expect((entry["detail"] as? String)?.contains("holds /license (the UD Pocket this system runs from)") == true, "\(entry)")
        #expect(!result.stderr.contains("mounted read-only"), "\(result.stderr)")
        #expect(!stick.isMountedHere)
    }
}
