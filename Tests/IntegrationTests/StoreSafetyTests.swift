import Foundation
import Testing
import TestSupport

/// Data-loss findings of the hardening review, each run through the real binary: `--replace`
/// with a candidate already installed, files that are not licenses, names that are bytes
/// (not Unicode), and the exact mount state of `/license` (CLI.md "Replace", "File names,
/// output and secrets", "The license partition's mount").
@Suite struct StoreSafetyTests {
    // MARK: Replace

    /// `import --replace A B` with A installed: A is part of the new set and stays.
    @Test func replaceKeepsACandidateThatIsAlreadyInstalled() throws {
        let device = try DeviceTree()
        let a = try device.candidate("PAS-A.lic", device.sign(DeviceTree.document(licenseId: "A")))
        let b = try device.candidate("EMP-B.lic", device.sign(DeviceTree.document(licenseId: "B", product: "EMP")))
        #expect(try device.agent(["import", a]).status == 0)
        let result = try device.agent(["import", "--replace", "--json", a, b])
        #expect(result.status == 0, "\(result)")
        let verdicts = try (result.json()["results"] as? [[String: Any]])?.map { $0["verdict"] as? String }
        #expect(verdicts == ["already-installed", "valid"])
        #expect(try device.installedNames() == ["EMP-B.lic", "PAS-A.lic"])
        let status = try device.agent(["status", "--json"])
        #expect(status.status == 0, "the device stays licensed: \(status)")
    }

    /// Only `*.lic` files (and `/license/fetch*`) are removed by `--replace`.
    @Test func replaceRemovesOnlyLicenseFiles() throws {
        let device = try DeviceTree()
        try device.installLicense("OLD.lic", licenseId: "old")
        for name in ["README.txt", ".keep", "old.lic.bak"] {
            try device.directory.write("license/dsa/licenses/\(name)", "kept by the administrator")
        }
        let new = try device.candidate("NEW.lic", device.sign(DeviceTree.document(licenseId: "new")))
        let result = try device.agent(["import", "--replace", new])
        #expect(result.status == 0, "\(result)")
        #expect(try device.installedNames() == [".keep", "NEW.lic", "README.txt", "old.lic.bak"])
        #expect(try String(contentsOfFile: device.directory.appending("license/dsa/licenses/README.txt"), encoding: .utf8)
                == "kept by the administrator")
    }

    // MARK: Names are bytes

    /// `Lizenz-é.lic` in NFC (EMP) and in NFD (PAS) are two files: removing the EMP license
    /// must leave the PAS license alone.
    @Test func namesThatDifferOnlyInNormalisationAreDifferentFiles() throws {
        let device = try DeviceTree()
        let emp = try device.sign(DeviceTree.document(licenseId: "emp", product: "EMP"))
        let pas = try device.sign(DeviceTree.document(licenseId: "pas", product: "PAS"))
        try device.writeFile(rawName: "Lizenz-\\303\\251.lic", in: "license/dsa/licenses", contents: emp)
        try device.writeFile(rawName: "Lizenz-e\\314\\201.lic", in: "license/dsa/licenses", contents: pas)
        let nfc = Self.hex("Lizenz-\u{00E9}.lic"), nfd = Self.hex("Lizenz-e\u{0301}.lic")
        #expect(try device.installedNameBytes() == [nfd, nfc].sorted())

        let removal = try device.agent(["remove", "--product", "EMP", "--json"])
        #expect(removal.status == 0, "\(removal)")
        #expect(try device.installedNameBytes() == [nfd], "only the EMP file may go")
        let status = try device.agent(["status", "--json"])
        #expect(status.status == 0, "the PAS license still licenses the device: \(status)")
    }

    /// A Latin-1 name (`PAS-café.lic` in ISO 8859-1) is shown escaped, verified, and never
    /// wedges the store: imports and removals keep working and no staging directory stays.
    @Test func aNameThatIsNotUTF8NeverWedgesTheStore() throws {
        let device = try DeviceTree()
        try device.writeFile(rawName: "PAS-caf\\351.lic", in: "license/dsa/licenses",
                             contents: device.sign(DeviceTree.document(licenseId: "latin1")))
        let status = try device.agent(["status"])
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("PAS-caf\\xe9.lic"), "shown with an escape: \(status.stdout)")

        let first = try device.candidate("EMP.lic", device.sign(DeviceTree.document(licenseId: "emp", product: "EMP")))
        #expect(try device.agent(["import", first]).status == 0)
        #expect(try device.agent(["remove", "--product", "EMP"]).status == 0)
        let second = try device.candidate("NEW.lic", device.sign(DeviceTree.document(licenseId: "new")))
        let replaced = try device.agent(["import", "--replace", second])
        #expect(replaced.status == 0, "\(replaced)")
        #expect(try device.installedNames() == ["NEW.lic"])
        let third = try device.candidate("EMP2.lic", device.sign(DeviceTree.document(licenseId: "emp2", product: "EMP")))
        #expect(try device.agent(["import", third]).status == 0)
        #expect(try device.installedNameBytes("license/dsa") == [Self.hex("licenses")], "no staging directory stays")
    }

    static func hex(_ text: String) -> String { text.utf8.map { String(format: "%02x", $0) }.joined() }

    // MARK: The mount

    /// A read-only bind mount of a writable filesystem at `/license`: only the mount point is
    /// made writable and read-only again. The filesystem underneath — mounted writable
    /// elsewhere too — stays writable throughout.
    @Test(.enabled(if: ProcessRunner.isRoot)) func bindMountIsChangedOnlyAsAMountPoint() throws {
        let device = try DeviceTree()
        let new = try device.candidate("NEW.lic", device.sign(DeviceTree.document(licenseId: "new")))
        let backing = device.directory.appending("backing")
        let partition = device.directory.appending("license")
        let result = try LicenseStoreTests.inNamespace("""
            mkdir -p \(backing)
            mount -t tmpfs -o nosuid tmpfs \(backing)
            mkdir -p \(backing)/dsa/licenses
            mount --bind \(backing) \(partition)
            mount -o remount,bind,ro,nosuid,nodev \(partition)
            \(Umockdev.agent) import --root \(device.root) \(new) >/dev/null
            awk '$5 == "\(partition)" { print "LICENSE " $6 " " $NF }' /proc/self/mountinfo
            awk '$5 == "\(backing)" { print "BACKING " $6 " " $NF }' /proc/self/mountinfo
            touch \(backing)/probe && echo BACKING-WRITABLE
            ls \(partition)/dsa/licenses
            """)
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let license = try #require(lines.first { $0.hasPrefix("LICENSE ") }?.split(separator: " "))
        let backingLine = try #require(lines.first { $0.hasPrefix("BACKING ") }?.split(separator: " "))
        #expect(license[1].hasPrefix("ro,"), "the mount point is read-only again: \(license)")
        #expect(Set(license[1].split(separator: ",")) == ["ro", "nosuid", "nodev", "relatime"], "\(license)")
        #expect(license[2].hasPrefix("rw"), "the filesystem was never remounted: \(license)")
        #expect(backingLine[1].hasPrefix("rw,") && backingLine[2].hasPrefix("rw"), "\(backingLine)")
        #expect(lines.contains("BACKING-WRITABLE"))
        #expect(lines.contains("NEW.lic"))
    }

    /// Every per-mount and filesystem option is restored exactly (`sync`, `lazytime` and
    /// `nosymfollow` came back as plain `ro` before).
    @Test(.enabled(if: ProcessRunner.isRoot)) func remountRestoresEveryOptionExactly() throws {
        let device = try DeviceTree()
        let new = try device.candidate("NEW.lic", device.sign(DeviceTree.document(licenseId: "new")))
        let partition = device.directory.appending("license")
        let line = "awk '$5 == \"\(partition)\" { print $6 \" \" $NF }' /proc/self/mountinfo"
        let result = try LicenseStoreTests.inNamespace("""
            mount -t tmpfs -o sync,lazytime,nosymfollow,nosuid,nodev,noexec,noatime,mode=0755 tmpfs \(partition)
            mkdir -p \(partition)/dsa/licenses
            mount -o remount,ro,sync,lazytime,nosymfollow,nosuid,nodev,noexec,noatime \(partition)
            echo "BEFORE $(\(line))"
            \(Umockdev.agent) import --root \(device.root) \(new) >/dev/null
            echo "AFTER $(\(line))"
            """)
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n")
        let before = try #require(lines.first { $0.hasPrefix("BEFORE ") }?.dropFirst(7))
        let after = try #require(lines.first { $0.hasPrefix("AFTER ") }?.dropFirst(6))
        #expect(before.contains("nosymfollow") && before.contains("sync") && before.contains("lazytime"), "\(before)")
        #expect(after == before, "restored exactly: before \(before), after \(after)")
    }
}
