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

/// A kill at every state-changing system call of `import --replace` and of `remove` (every
/// write, fsync, link, unlink, rename, mkdir, truncate and lock, at each of its occurrences,
/// injected with strace): afterwards the license directory holds exactly the old set or
/// exactly the new set, byte for byte, and the next writer works. What the old store held
/// (666/666 kills) must hold for the byte-name store too.
@Suite struct KillAtEverySyscallTests {
    static let stateChanging = ["write", "pwrite64", "fsync", "linkat", "unlinkat", "renameat", "renameat2",
                                "mkdirat", "ftruncate", "flock"]

    enum Operation: String, CaseIterable { case replace, remove }

    @Test(arguments: Operation.allCases) func everyKillLeavesTheOldOrTheNewSet(operation: Operation) throws {
        let device = try DeviceTree()
        let a = try device.sign(DeviceTree.document(licenseId: "a"))
        let b = try device.sign(DeviceTree.document(licenseId: "b", product: "EMP"))
        let candidateA = try device.candidate("A.lic", a), candidateB = try device.candidate("B.lic", b)
        let licenses = device.licenseDirectory
        let oldSet = operation == .replace ? ["A.lic", "notes.txt"] : ["A.lic", "B.lic", "notes.txt"]
        let newSet = operation == .replace ? ["A.lic", "B.lic", "notes.txt"] : ["A.lic", "notes.txt"]
        func reset() throws {
            try? FileManager.default.removeItem(atPath: device.directory.appending("license/dsa"))
            _ = try device.directory.makeDirectory("license/dsa/licenses")
            try device.install("A.lic", a)
            if operation == .remove { try device.install("B.lic", b) }
            try device.directory.write("license/dsa/licenses/notes.txt", "notes")
        }
        let command = try Umockdev.reproducible("device") + ["strace", "-f", "-qq"]
        let agent = operation == .replace
            ? [Umockdev.agent, "import", "--replace", "--root", device.root, candidateA, candidateB]
            : [Umockdev.agent, "remove", "--product", "EMP", "--root", device.root]

        try reset()
        let trace = device.directory.appending("trace")
        try ProcessRunner.checked(command + ["-o", trace] + agent)
        #expect(try device.installedNames() == newSet)
        var counts: [String: Int] = [:]
        for line in try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n") {
            let fields = line.split(separator: " ", maxSplits: 2)
            guard fields.count > 1, let name = fields[1].split(separator: "(").first.map(String.init),
                  Self.stateChanging.contains(name) else { continue }
            counts[name, default: 0] += 1
        }
        #expect(counts["renameat2"] == 1 && (counts["linkat"] ?? 0) >= 2, "the trace covers the swap: \(counts)")

        var kills = 0, sawOld = 0, sawNew = 0
        for (syscall, count) in counts.sorted(by: { $0.key < $1.key }) {
            for occurrence in 1...count {
                try reset()
                let injected = ["-o", "/dev/null", "-e", "inject=\(syscall):signal=KILL:when=\(occurrence)"]
                _ = try ProcessRunner.run(command + injected + agent)
                kills += 1
                let names = try device.installedNames()
                #expect(names == oldSet || names == newSet, "kill at \(syscall) #\(occurrence): \(names)")
                if names == newSet { sawNew += 1 } else { sawOld += 1 }
                #expect(FileManager.default.contents(atPath: licenses + "/A.lic") == a)
                if names.contains("B.lic") { #expect(FileManager.default.contents(atPath: licenses + "/B.lic") == b) }
            }
        }
        #expect(sawOld > 0 && sawNew > 0, "kills before and after the swap: \(sawOld) old, \(sawNew) new of \(kills)")
        // And the operation still works from the old set.
        try reset()
        let after = try ProcessRunner.run(["umockdev-run", "-d", try Umockdev.fixture("device"), "--"] + agent)
        #expect(after.status == 0, "\(after)")
        #expect(try device.installedNames() == newSet)
        #expect(try device.installedNameBytes("license/dsa") == [StoreSafetyTests.hex("licenses")])
    }
}

extension StoreSafetyTests {
    /// The rescue shell passes a Latin-1 file name as its bytes; the agent opens that very
    /// file (Swift's own argument decoding would have replaced the byte with U+FFFD).
    @Test func aCommandLineFileNameThatIsNotUTF8IsOpenedAsItself() throws {
        let device = try DeviceTree()
        _ = try device.directory.makeDirectory("incoming")
        try device.writeFile(rawName: "PAS-caf\\351.lic", in: "incoming", contents: device.sign(DeviceTree.document()))
        let result = try ProcessRunner.run([
            "umockdev-run", "-d", try Umockdev.fixture("device"), "--", "sh", "-c",
            "\"$1\" import --root \"$2\" \"$3/$(printf 'PAS-caf\\351.lic')\"", "sh",
            Umockdev.agent, device.root, device.directory.appending("incoming"),
        ])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("PAS-caf\\xe9.lic: installed as PAS-caf_.lic"), "\(result.stdout)")
        #expect(try device.installedNames() == ["PAS-caf_.lic"])
    }

    /// Two names on one command line that Swift decodes to equal strings — NFC and NFD
    /// spellings (canonically equal), or two Latin-1 bytes (both repaired to U+FFFD) — are two
    /// files: each argument is matched to its own `argv` entry, in order.
    @Test(arguments: [("Lizenz-\\303\\251.lic", "Lizenz-e\\314\\201.lic"), ("PAS-caf\\351.lic", "PAS-caf\\350.lic")])
    func twoCommandLineNamesThatDecodeAlikeAreTwoFiles(first: String, second: String) throws {
        let device = try DeviceTree()
        _ = try device.directory.makeDirectory("incoming")
        try device.writeFile(rawName: first, in: "incoming", contents: device.sign(DeviceTree.document(product: "PAS")))
        try device.writeFile(rawName: second, in: "incoming", contents: device.sign(DeviceTree.document(product: "EMP")))
        let result = try ProcessRunner.run([
            "umockdev-run", "-d", try Umockdev.fixture("device"), "--", "sh", "-c",
            "\"$1\" import --root \"$2\" \"$3/$(printf \"$4\")\" \"$3/$(printf \"$5\")\"", "sh",
            Umockdev.agent, device.root, device.directory.appending("incoming"), first, second,
        ])
        #expect(result.status == 0, "\(result)")
        #expect(try device.installedNames().count == 2, "\(result.stdout)")
        let status = try device.agent(["status", "--json"])
        let products = try status.json()["products"] as? [[String: Any]]
        #expect(Set((products ?? []).compactMap { $0["product"] as? String }) == ["PAS", "EMP"], "\(status.stdout)")
    }
}
