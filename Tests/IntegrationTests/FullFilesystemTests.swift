import Foundation
import Testing
import TestSupport

/// Filesystems full to the last block (CLI.md "One failed syscall never costs the truth"):
/// small ext4 filesystems in a private mount namespace, filled with `dd` until the kernel
/// says ENOSPC, under `/license` or `/wfs`. A change that does not fit changes nothing and
/// says so; a full `/wfs` costs neither the boot answer nor the state already there.
@Suite(.enabled(if: ProcessRunner.isRoot)) struct FullFilesystemTests {
    typealias Device = FailedSyscallTests.Device
    typealias Change = FailedSyscallTests.Change

    /// The shell lines that move ROOT/wfs onto a small ext4 filesystem and fill it.
    static func fullExt4Wfs(_ tree: DeviceTree) -> String {
        let wfs = tree.directory.appending("wfs"), image = tree.directory.appending("wfs.img")
        return """
            truncate -s 8M \(image)
            mkfs.ext4 -q -F -b 1024 -N 64 \(image)
            mv \(wfs) \(wfs).orig
            mkdir \(wfs)
            mount -o loop \(image) \(wfs)
            cp -a \(wfs).orig/. \(wfs)/
            dd if=/dev/zero of=\(wfs)/fill bs=1k 2>/dev/null || true
            """
    }

    /// The lines that print the license directory's names and digests (`FILE NAME SHA256`).
    static func listing(_ tree: DeviceTree) -> String {
        """
        for f in \(tree.licenseDirectory)/* \(tree.licenseDirectory)/.[!.]*; do
            [ -e "$f" ] && echo "FILE ${f##*/} $(sha256sum <"$f" | cut -c1-64)"
        done
        """
    }

    static func files(_ output: String) -> [String: String] {
        output.split(separator: "\n").reduce(into: [:]) { files, line in
            let fields = line.split(separator: " ").map(String.init)
            if fields.count == 3 && fields[0] == "FILE" { files[fields[1]] = fields[2] }
        }
    }

    /// An import onto a full `/license`: exit 1, the set as it was byte for byte, nothing
    /// left behind, and a sentence that says nothing was changed.
    @Test(arguments: [Change.importNew, .replaceAll])
    func aChangeThatDoesNotFitChangesNothing(change: Change) throws {
        let device = try Device()
        let emp = try device.tree.candidate("EMP.lic", device.emp), pas = try device.tree.candidate("PAS.lic", device.pas)
        let before = ["EMP.lic": try ReadOnlyFaultInjectionTests.digest(device.emp),
                      "PAS.lic": try ReadOnlyFaultInjectionTests.digest(device.pas)]
        let partition = device.tree.directory.appending("license")
        let arguments = device.arguments(change).map { "'\($0)'" }.joined(separator: " ")
        let result = try LicenseStoreTests.inNamespace("""
            \(LicenseStoreTests.fullExt4LicensePartition(device.tree, holding: [emp, pas]))
            mkdir \(partition)/dsa/probe 2>/dev/null && echo "NOT FULL" || echo "FULL"
            set +e
            \(arguments) >\(device.tree.root)/change.out 2>\(device.tree.root)/change.err
            echo "STATUS $?"
            \(Self.listing(device.tree))
            """)
        let errors = (try? String(contentsOfFile: device.tree.root + "/change.err", encoding: .utf8)) ?? ""
        #expect(result.stdout.contains("FULL") && !result.stdout.contains("NOT FULL"), "the partition is full: \(result)")
        #expect(result.stdout.contains("STATUS 1"), "\(result)\n\(errors)")
        #expect(Self.files(result.stdout) == before, "the set as it was: \(result.stdout)")
        #expect(errors.contains("No space left on device"), "\(errors)")
        #expect(errors.lowercased().contains("nothing was changed"), "\(errors)")
        #expect(!errors.contains(".licenses-staging-") && !errors.contains(".tmp-"), "no internal names: \(errors)")
    }

    /// A full `/wfs` at boot: `check` still answers (licensed, published in `/run`, with the
    /// mark it could not persist in `errors[]`, so exit 1), the trusted-time mark and the
    /// audit log already there are intact; then an import and a removal still go through,
    /// each with a whole audit line or saying that its line is incomplete.
    @Test func aFullWfsCostsNeitherTheAnswerNorTheState() throws {
        let device = try Device()
        try device.reset()
        let rules = try StateFileRules(device.tree)
        try device.reset()
        try rules.seed(device.tree)
        let published = device.tree.directory.appending("run/license-agent/state.json")
        let check = [Umockdev.agent, "check", "--root", device.tree.root].joined(separator: " ")
        let result = try LicenseStoreTests.inNamespace("""
            \(Self.fullExt4Wfs(device.tree))
            set +e
            \(check) >\(device.tree.root)/check.out 2>&1
            echo "CHECK $?"
            grep -q '"licensed" *: *true' \(published) && echo "PUBLISHED licensed"
            grep -q 'state.json' \(published) && echo "PUBLISHED errors"
            \(device.arguments(.importNew).joined(separator: " ")) >\(device.tree.root)/import.out 2>&1
            echo "IMPORT $?"
            \(Umockdev.agent) remove --product PWT --root \(device.tree.root) >\(device.tree.root)/remove.out 2>&1
            echo "REMOVE $?"
            \(Self.listing(device.tree))
            mkdir -p \(device.tree.root)/wfs-after
            cp -a \(device.tree.directory.appending("wfs"))/license-agent/. \(device.tree.root)/wfs-after/
            """)
        let output = { (name: String) in (try? String(contentsOfFile: device.tree.root + "/" + name, encoding: .utf8)) ?? "" }
        #expect(result.stdout.contains("CHECK 1") && result.stdout.contains("PUBLISHED licensed")
                && result.stdout.contains("PUBLISHED errors"), "\(result)\n\(output("check.out"))")
        #expect(result.stdout.contains("IMPORT 0"), "\(result)\n\(output("import.out"))")
        #expect(result.stdout.contains("REMOVE 0"), "\(result)\n\(output("remove.out"))")
        #expect(Set(Self.files(result.stdout).keys) == ["PAS.lic"], "\(result.stdout)")
        let audit = (try? String(contentsOfFile: device.tree.root + "/wfs-after/audit.log", encoding: .utf8)) ?? ""
        for (change, action) in [("import.out", "\"import\""), ("remove.out", "\"remove\"")] {
            #expect(audit.contains(action) || output(change).contains("audit-incomplete"), "\(change): \(output(change))\n\(audit)")
        }
        // The /wfs of the namespace, copied out: the rules hold there.
        let copied = rules.violations(in: device.tree.root + "/wfs-after")
        #expect(copied.isEmpty, "\(copied)")
    }
}
