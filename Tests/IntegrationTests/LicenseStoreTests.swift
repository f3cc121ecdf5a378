import Foundation
import Testing
import TestSupport

/// The license store's promises, tested with real mounts, signals and kill -9:
/// read-only `/license` stays read-only, a power cut leaves the old or the new set,
/// and concurrent writers are serialised.
@Suite struct LicenseStoreTests {
    /// Runs `script` with `sh -e` inside a private mount namespace.
    static func inNamespace(_ script: String) throws -> ProcessResult {
        try ProcessRunner.run(["unshare", "-m", "--propagation", "private", "sh", "-ec", script])
    }

    /// The shell lines that put a read-only tmpfs on ROOT/license holding `dsa/licenses`.
    static func readOnlyLicensePartition(_ device: DeviceTree, seed: [String] = []) -> String {
        let partition = device.directory.appending("license")
        var lines = ["mkdir -p \(partition)", "mount -t tmpfs -o nosuid,nodev,mode=0755 tmpfs \(partition)",
                     "mkdir -p \(partition)/dsa/licenses"]
        lines += seed.map { "cp \($0) \(partition)/dsa/licenses/" }
        lines.append("mount -o remount,ro \(partition)")
        return lines.joined(separator: "\n")
    }

    /// The mount options of ROOT/license as the kernel reports them.
    static func mountOptionsLine(_ device: DeviceTree) -> String {
        "awk '$5 == \"\(device.directory.appending("license"))\" { print \"OPTIONS \" $6 }' /proc/self/mountinfo"
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func importIntoReadOnlyMountLandsAndStaysReadOnly() throws {
        let device = try DeviceTree()
        let good = try device.candidate("PAS-GOOD.lic", device.sign(DeviceTree.document(licenseId: "good")))
        let bad = try device.candidate("bad.lic", Data("garbage".utf8))
        let agent = Umockdev.agent
        let result = try Self.inNamespace("""
            \(Self.readOnlyLicensePartition(device))
            set +e
            \(agent) import --root \(device.root) --json \(bad); echo "REFUSED $?"
            \(Self.mountOptionsLine(device))
            \(agent) import --root \(device.root) --json \(good) \(bad); echo "IMPORTED $?"
            \(Self.mountOptionsLine(device))
            ls \(device.licenseDirectory)
            touch \(device.directory.appending("license/probe")) 2>/dev/null && echo WRITABLE || echo READONLY
            """)
        #expect(result.stdout.contains("REFUSED 2"), "\(result)")
        #expect(result.stdout.contains("IMPORTED 0"), "\(result)")
        let options = result.stdout.split(separator: "\n").filter { $0.hasPrefix("OPTIONS ") }
        #expect(options.count == 2)
        #expect(options.allSatisfy { $0.split(separator: " ")[1].split(separator: ",").first == "ro" }, "\(options)")
        #expect(options.allSatisfy { $0.contains("nosuid") && $0.contains("nodev") }, "options kept: \(options)")
        #expect(result.stdout.contains("PAS-GOOD.lic"))
        #expect(result.stdout.contains("READONLY"))
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func readWritePartitionIsLeftReadWrite() throws {
        let device = try DeviceTree()
        let good = try device.candidate("PAS.lic", device.sign(DeviceTree.document()))
        let partition = device.directory.appending("license")
        let result = try Self.inNamespace("""
            mount -t tmpfs tmpfs \(partition)
            mkdir -p \(partition)/dsa/licenses
            \(Umockdev.agent) import --root \(device.root) \(good)
            \(Self.mountOptionsLine(device))
            """)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("OPTIONS rw"), "\(result)")
    }

    /// SIGTERM while `/license` is read-write. strace holds the set swap (`renameat2`) for a
    /// second, the test waits until the kernel reports the partition read-write, then sends
    /// SIGTERM: the agent must finish the swap, remount read-only, say what it installed and
    /// write its audit line, and only then die of the signal.
    @Test(.enabled(if: ProcessRunner.isRoot)) func terminationInsideTheWritableWindowWaitsForReadOnly() throws {
        let device = try DeviceTree()
        let old = try device.candidate("old.lic", device.sign(DeviceTree.document(licenseId: "old")))
        let new = try device.candidate("new.lic", device.sign(DeviceTree.document(licenseId: "new")))
        let options = "$(\(Self.mountOptionsLine(device)) | cut -d' ' -f2 | cut -d, -f1)"
        let result = try Self.inNamespace("""
            \(Self.readOnlyLicensePartition(device, seed: [old]))
            strace -f -o /dev/null -e trace=renameat2 -e inject=renameat2:delay_enter=1000000 \\
                \(Umockdev.agent) import --replace --root \(device.root) \(new) >\(device.root)/agent.out 2>&1 &
            tracer=$!
            i=0
            while [ $i -lt 250 ] && [ "\(options)" != rw ]; do sleep 0.02; i=$((i + 1)); done
            echo "DURING \(options)"
            kill -TERM $(pgrep -P $tracer)
            status=0
            wait $tracer || status=$?
            echo "STATUS $status"
            echo "AFTER \(options) $(ls \(device.licenseDirectory) | tr '\\n' ' ')"
            """)
        #expect(result.stdout.contains("DURING rw"), "the window was never observed: \(result)")
        #expect(result.stdout.contains("AFTER ro new.lic"), "\(result)")
        #expect(result.stdout.contains("STATUS 143"), "ended by SIGTERM once done: \(result)")
        let output = try String(contentsOfFile: device.root + "/agent.out", encoding: .utf8)
        #expect(output.contains("installed as new.lic"), "the result is reported: \(output)")
        let audit = try String(contentsOfFile: device.directory.appending("wfs/license-agent/audit.log"), encoding: .utf8)
        #expect(audit.contains("\"action\":\"import\""), "the audit line is written: \(audit)")
    }

    /// SIGTERM at assorted moments of `import --replace`: read-only afterwards every time, and
    /// the licenses are the complete old set or the complete new set.
    @Test(.enabled(if: ProcessRunner.isRoot)) func terminationAtAnyMomentLeavesReadOnlyAndAWholeSet() throws {
        let device = try DeviceTree()
        let old = try device.candidate("old.lic", device.sign(DeviceTree.document(licenseId: "old")))
        let new = try device.candidate("new.lic", device.sign(DeviceTree.document(licenseId: "new")))
        let rounds = 25
        let result = try Self.inNamespace("""
            \(Self.readOnlyLicensePartition(device, seed: [old]))
            i=0
            while [ $i -lt \(rounds) ]; do
                if [ $((i % 2)) -eq 0 ]; then file=\(new); else file=\(old); fi
                \(Umockdev.agent) import --replace --root \(device.root) $file >/dev/null 2>&1 &
                pid=$!
                sleep 0.0$(( (i * 7) % 10 ))$(( (i * 3) % 10 ))
                kill -TERM $pid 2>/dev/null || true
                wait $pid || true
                echo "ROUND $i $(\(Self.mountOptionsLine(device)) | cut -d' ' -f2 | cut -d, -f1) $(ls \(device.licenseDirectory) | tr '\\n' ' ')"
                i=$((i + 1))
            done
            """)
        #expect(result.status == 0, "\(result)")
        let rows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("ROUND ") }
        #expect(rows.count == rounds)
        for row in rows {
            let fields = row.split(separator: " ").map(String.init)
            #expect(fields[2] == "ro", "partition left writable: \(row)")
            #expect(fields.dropFirst(3) == ["old.lic"] || fields.dropFirst(3) == ["new.lic"], "torn set: \(row)")
        }
    }

    /// Power cut: kill -9 an `import --replace` at random moments, 100 rounds. After each,
    /// the directory holds the complete old set or the complete new set, and every file verifies.
    @Test func powerCutLeavesTheOldOrTheNewSet() throws {
        let device = try DeviceTree()
        func set(_ prefix: String) throws -> [String] {
            try (1...3).map { index in
                try device.candidate("\(prefix)\(index).lic", device.sign(DeviceTree.document(licenseId: "\(prefix)\(index)")))
            }
        }
        let setA = try set("a"), setB = try set("b")
        let names = { (paths: [String]) in paths.map { ($0 as NSString).lastPathComponent }.sorted() }
        try ProcessRunner.checked([Umockdev.agent, "import", "--root", device.root] + setA)
        var generator = SystemRandomNumberGenerator()
        var sawOld = 0, sawNew = 0
        for round in 0..<100 {
            let incoming = round % 2 == 0 ? setB : setA
            let before = try device.installedNames()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Umockdev.agent)
            process.arguments = ["import", "--replace", "--root", device.root] + incoming
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 0...40_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let after = try device.installedNames()
            #expect(after == names(incoming) || after == before, "round \(round): torn set \(after)")
            if after == names(incoming) { sawNew += 1 } else { sawOld += 1 }
            let status = try ProcessRunner.run([Umockdev.agent, "status", "--json", "--root", device.root])
            let licenses = try #require(try status.json()["licenses"] as? [[String: Any]])
            #expect(licenses.allSatisfy { $0["verdict"] as? String == "valid" }, "round \(round): \(licenses)")
            #expect(licenses.count == 3)
        }
        // Both outcomes happened, so the kills really landed at different moments.
        #expect(sawOld > 0 && sawNew > 0, "old \(sawOld), new \(sawNew)")
    }

    @Test func fiveConcurrentImportsAllLand() throws {
        let device = try DeviceTree()
        let files = try (1...5).map { try device.candidate("c\($0).lic", device.sign(DeviceTree.document(licenseId: "c\($0)"))) }
        let processes = try files.map { file -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Umockdev.agent)
            process.arguments = ["import", "--root", device.root, file]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            return process
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == [0, 0, 0, 0, 0])
        #expect(try device.installedNames() == ["c1.lic", "c2.lic", "c3.lic", "c4.lic", "c5.lic"])
        let audit = try String(contentsOfFile: device.directory.appending("wfs/license-agent/audit.log"), encoding: .utf8)
        #expect(audit.split(separator: "\n").count == 5)
    }

    @Test func busyLockWaitsThenNamesTheHolder() throws {
        let device = try DeviceTree()
        let file = try device.candidate("PAS.lic", device.sign(DeviceTree.document()))
        let lock = try device.directory.write("run/license-agent/lock", "pid=4242 check\n")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: try ProcessRunner.which("flock"))
        holder.arguments = [lock, "sleep", "30"]
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        usleep(300_000)
        let result = try ProcessRunner.run([Umockdev.agent, "import", "--root", device.root, file])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("pid=4242 check"), "\(result.stderr)")
        #expect(result.stderr.contains("10 seconds"))
        #expect(try device.installedNames().isEmpty)
    }

    @Test func replaceKeepsEverythingWhenNothingIsInstallable() throws {
        let device = try DeviceTree()
        try device.installLicense("PAS.lic", licenseId: "keep-me")
        try device.directory.write("license/fetch.req", "{}")
        let bad = try device.candidate("other.lic", device.sign(DeviceTree.document(units: ["001122334455"])))
        let result = try device.agent(["import", "--replace", "--json", bad])
        #expect(result.status == 2, "\(result)")
        #expect(try device.installedNames() == ["PAS.lic"])
        #expect(FileManager.default.fileExists(atPath: device.directory.appending("license/fetch.req")))
        let results = try #require(try result.json()["results"] as? [[String: Any]])
        #expect(results.first?["verdict"] as? String == "other-unit")
        #expect(results.first?["installedAs"] is NSNull)
    }

    @Test func replaceRemovesOldLicensesAndRequestFiles() throws {
        let device = try DeviceTree()
        try device.installLicense("OLD.lic", licenseId: "old")
        try device.directory.write("license/fetch.req", "{}")
        try device.directory.write("license/fetch.log", "x")
        let new = try device.candidate("NEW.lic", device.sign(DeviceTree.document(licenseId: "new")))
        let result = try device.agent(["import", "--replace", "--json", new])
        #expect(result.status == 0, "\(result)")
        #expect(try device.installedNames() == ["NEW.lic"])
        let json = try result.json()
        #expect(Set(json["removed"] as? [String] ?? []) == ["OLD.lic", "fetch.req", "fetch.log"])
        #expect(!FileManager.default.fileExists(atPath: device.directory.appending("license/fetch.req")))
        #expect(result.stdout.contains("installedAs"))
    }

    @Test func reimportIsAlreadyInstalled() throws {
        let device = try DeviceTree()
        let file = try device.candidate("PAS.lic", device.sign(DeviceTree.document(licenseId: "once")))
        #expect(try device.agent(["import", file]).status == 0)
        let again = try device.agent(["import", "--json", file])
        #expect(again.status == 0)
        #expect((try again.json()["results"] as? [[String: Any]])?.first?["verdict"] as? String == "already-installed")
        #expect(try device.installedNames() == ["PAS.lic"])
    }

    @Test func hostileCandidatesAreRefusedWithAReason() throws {
        let device = try DeviceTree()
        let secret = try device.directory.write("secret.txt", "root:password")
        let link = device.directory.appending("incoming/link.lic")
        try FileManager.default.createDirectory(atPath: device.directory.appending("incoming"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: secret)
        let fifo = device.directory.appending("incoming/fifo.lic")
        #expect(mkfifo(fifo, 0o644) == 0)
        let huge = try device.candidate("huge.lic", Data(repeating: 0x30, count: 5 << 20))
        let result = try device.agent(["import", "--json", link, fifo, huge])
        #expect(result.status == 2, "\(result)")
        let results = try #require(try result.json()["results"] as? [[String: Any]])
        #expect(results.count == 3)
        #expect(results.allSatisfy { $0["verdict"] as? String == "malformed" })
        let details = results.compactMap { $0["detail"] as? String }
        #expect(details[0].contains("symbolic link"))
        #expect(details[1].contains("regular file"))
        #expect(details[2].contains("limit"))
        #expect(try device.installedNames().isEmpty)
    }

    /// A file that is not there is a mistake in the command, not a verdict about a license:
    /// exit 1, "No such file", the JSON error object, and nothing imported — not even the
    /// good file named beside it.
    @Test func missingFileIsAnErrorNotAVerdict() throws {
        let device = try DeviceTree()
        let good = try device.candidate("PAS.lic", device.sign(DeviceTree.document()))
        let missing = device.directory.appending("incoming/missing.lic")
        let result = try device.agent(["import", "--json", good, missing])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.hasPrefix("No such file (\(missing))"), "\(result)")
        let error = try #require(try result.json()["error"] as? [String: Any])
        #expect(error["code"] as? String == "not-found")
        #expect(error["path"] as? String == missing)
        #expect(try device.installedNames().isEmpty)
    }

    @Test func urlGivenToImportPointsToFetch() throws {
        let device = try DeviceTree()
        let result = try device.agent(["import", "https://portal.example/EMP.lic"])
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains("license-agent fetch https://portal.example/EMP.lic"), "\(result)")
    }

    /// The rescue shell: no environment at all (no PATH, no HOME, no locale), no udev daemon
    /// needed. The import lands and the administrator is told to reboot.
    @Test func rescueShellImportNeedsNoEnvironment() throws {
        let device = try DeviceTree()
        let file = try device.candidate("PAS.lic", device.sign(DeviceTree.document()))
        let result = try ProcessRunner.run(["/usr/bin/env", "-i", Umockdev.agent, "import", "--root", device.root, file])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Reboot the device"))
        #expect(try device.installedNames() == ["PAS.lic"])
    }

    /// A subdirectory in the license directory is never swept away with an old set: the change
    /// is refused (exit 1, one sentence naming it) and everything stays as it was.
    @Test func subdirectoryInTheLicenseDirectoryIsNeverLost() throws {
        let device = try DeviceTree()
        try device.installLicense("OLD.lic", licenseId: "old")
        try device.directory.write("license/dsa/licenses/notes/keep.txt", "administrator's notes")
        let new = try device.candidate("NEW.lic", device.sign(DeviceTree.document(licenseId: "new")))
        let result = try device.agent(["import", "--replace", new])
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("license/dsa/licenses/notes"), "\(result.stderr)")
        #expect(try device.installedNames() == ["OLD.lic", "notes"])
        #expect(FileManager.default.fileExists(atPath: device.licenseDirectory + "/notes/keep.txt"))
    }
}

/// Read-only again, or said loudly (CLI.md "The license partition's mount"): a read-only
/// remount that keeps failing, and a writer killed inside the window.
extension LicenseStoreTests {
    static func pendingRecord(_ device: DeviceTree) -> String { device.directory.appending("run/license-agent/remount-pending") }

    @Test(.enabled(if: ProcessRunner.isRoot)) func aRemountThatKeepsFailingIsSaidLoudlyAndRestoredByTheNextCommand() throws {
        let device = try DeviceTree()
        let new = try device.candidate("new.lic", device.sign(DeviceTree.document(licenseId: "new")))
        let options = "$(\(Self.mountOptionsLine(device)) | cut -d' ' -f2 | cut -d, -f1)"
        let result = try Self.inNamespace("""
            \(Self.readOnlyLicensePartition(device))
            set +e
            # Every mount(2) after the one that makes /license writable fails, as EBUSY would.
            strace -f -o /dev/null -e trace=mount -e inject=mount:error=EBUSY:when=2+ \\
                \(Umockdev.agent) import --root \(device.root) \(new) >\(device.root)/import.out 2>\(device.root)/import.err
            echo "IMPORT $? \(options) $(test -e \(Self.pendingRecord(device)) && echo pending)"
            \(Umockdev.agent) status --json --root \(device.root) >\(device.root)/status.json
            \(Umockdev.agent) check --root \(device.root) >/dev/null 2>&1
            echo "CHECKED \(options) $(test -e \(Self.pendingRecord(device)) && echo pending || echo clear)"
            """)
        #expect(result.stdout.contains("IMPORT 0 rw pending"), "the change stands, the record stays: \(result)")
        #expect(result.stdout.contains("CHECKED ro clear"), "the next command restored read-only: \(result)")
        let output = try String(contentsOfFile: device.root + "/import.out", encoding: .utf8)
        let errors = try String(contentsOfFile: device.root + "/import.err", encoding: .utf8)
        #expect(output.contains("installed as new.lic"), "\(output)")
        #expect(errors.contains("WARNING (license-partition-writable)"), "\(errors)")
        let status = try String(contentsOfFile: device.root + "/status.json", encoding: .utf8)
        #expect(status.contains("\"license-partition-writable\""), "status warns while the record is there: \(status)")
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func aWriterKilledInsideTheWindowLeavesARecordTheNextCommandActsOn() throws {
        let device = try DeviceTree()
        let new = try device.candidate("new.lic", device.sign(DeviceTree.document(licenseId: "new")))
        let options = "$(\(Self.mountOptionsLine(device)) | cut -d' ' -f2 | cut -d, -f1)"
        let result = try Self.inNamespace("""
            \(Self.readOnlyLicensePartition(device))
            set +e
            strace -f -o /dev/null -e trace=renameat2 -e inject=renameat2:signal=KILL \\
                \(Umockdev.agent) import --root \(device.root) \(new) >/dev/null 2>&1
            echo "KILLED \(options) $(test -e \(Self.pendingRecord(device)) && echo pending)"
            \(Umockdev.agent) remove --product NONE --root \(device.root) >/dev/null 2>&1
            echo "NEXT \(options) $(test -e \(Self.pendingRecord(device)) && echo pending || echo clear)"
            """)
        #expect(result.stdout.contains("KILLED rw pending"), "\(result)")
        #expect(result.stdout.contains("NEXT ro clear"), "\(result)")
    }
}

/// A full `/license` never blocks a removal (CLI.md "One failed syscall never costs the truth").
extension LicenseStoreTests {
    /// The shell lines that put a small ext4 filesystem on ROOT/license holding `files` in
    /// `dsa/licenses`, then fill it to the last block.
    static func fullExt4LicensePartition(_ device: DeviceTree, holding files: [String]) -> String {
        let partition = device.directory.appending("license"), image = device.directory.appending("license.img")
        return """
            truncate -s 8M \(image)
            mkfs.ext4 -q -F -b 1024 -N 64 \(image)
            mkdir -p \(partition)
            mount -o loop \(image) \(partition)
            mkdir -p \(partition)/dsa/licenses
            cp \(files.joined(separator: " ")) \(partition)/dsa/licenses/
            dd if=/dev/zero of=\(partition)/fill bs=1k 2>/dev/null || true
            """
    }

    @Test(.enabled(if: ProcessRunner.isRoot)) func aRemovalWorksOnAnExt4LicensePartitionFullToTheLastBlock() throws {
        let device = try DeviceTree()
        let emp = try device.candidate("EMP.lic", device.sign(DeviceTree.document(product: "EMP")))
        let pas = try device.candidate("PAS.lic", device.sign(DeviceTree.document(product: "PAS")))
        let partition = device.directory.appending("license")
        let result = try Self.inNamespace("""
            \(Self.fullExt4LicensePartition(device, holding: [emp, pas]))
            mkdir \(partition)/dsa/probe 2>/dev/null && echo "NOT FULL" || echo "FULL"
            set +e
            \(Umockdev.agent) remove --product EMP --root \(device.root) >\(device.root)/remove.out 2>&1
            echo "REMOVE $?"
            echo "LEFT $(ls \(partition)/dsa/licenses | tr '\\n' ' ')"
            echo "RECORD $(test -e \(device.directory.appending("wfs/license-agent/removal-pending")) && echo kept || echo gone)"
            """)
        #expect(result.stdout.contains("FULL") && !result.stdout.contains("NOT FULL"), "the partition is full: \(result)")
        #expect(result.stdout.contains("REMOVE 0"), "\(result)\n\((try? String(contentsOfFile: device.root + "/remove.out", encoding: .utf8)) ?? "")")
        #expect(result.stdout.contains("LEFT PAS.lic "), "\(result)")
        #expect(result.stdout.contains("RECORD gone"), "\(result)")
    }

    /// A removal in place killed after its first unlink: the next writer finishes it.
    @Test(.enabled(if: ProcessRunner.isRoot)) func aRemovalInPlaceCutShortIsFinishedByTheNextWriter() throws {
        let device = try DeviceTree()
        let emp = try device.candidate("EMP.lic", device.sign(DeviceTree.document(product: "EMP")))
        let emp2 = try device.candidate("EMP-2.lic", device.sign(DeviceTree.document(product: "EMP")))
        let pas = try device.candidate("PAS.lic", device.sign(DeviceTree.document(product: "PAS")))
        let partition = device.directory.appending("license")
        let result = try Self.inNamespace("""
            \(Self.fullExt4LicensePartition(device, holding: [emp, emp2, pas]))
            set +e
            # Killed at the second unlink of a license: one EMP is gone, one is left.
            strace -f -o /dev/null -e trace=unlinkat -e inject=unlinkat:signal=KILL:when=2 \\
                \(Umockdev.agent) remove --product EMP --root \(device.root) >/dev/null 2>&1
            echo "CUT $(ls \(partition)/dsa/licenses | tr '\\n' ' ')"
            \(Umockdev.agent) remove --product NONE --root \(device.root) >/dev/null 2>&1
            echo "NEXT $(ls \(partition)/dsa/licenses | tr '\\n' ' ')"
            """)
        #expect(result.stdout.contains("NEXT PAS.lic "), "the removal was finished: \(result)")
    }
}
