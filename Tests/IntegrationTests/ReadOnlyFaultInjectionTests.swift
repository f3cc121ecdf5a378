import Foundation
import Testing
import TestSupport

/// The fault run on a read-only `/license`, as a device has it (CLI.md "Read-only again, or
/// said loudly"): in a private mount namespace, `/license` is a read-only tmpfs, and every
/// syscall on the device's files — `mount(2)` included — fails in turn. After each run the
/// partition is read-only again, or the pending record is there and the warning was given;
/// and the set is the old one or the new one, as the exit status says.
@Suite(.enabled(if: ProcessRunner.isRoot)) struct ReadOnlyFaultInjectionTests {
    typealias Device = FailedSyscallTests.Device
    typealias Change = FailedSyscallTests.Change

    /// What one run left: exit status, mount state, pending record, files by SHA-256, stderr.
    struct Run {
        let status: Int32
        let readOnly: Bool
        let pending: Bool
        let files: [String: String]
        let stderr: String
    }

    /// Runs `change` under strace `options` on a read-only tmpfs `/license` in its own namespace.
    static func run(_ device: Device, _ change: Change, strace options: [String]) throws -> Run {
        let partition = device.tree.directory.appending("license")
        let pending = device.tree.directory.appending("run/license-agent/remount-pending")
        let errors = device.tree.directory.appending("agent.err")
        let quoted = try (Umockdev.reproducible("device") + ["strace", "-f", "-qq"] + options
                      + device.arguments(change)).map { "'\($0)'" }.joined(separator: " ")
        let result = try ProcessRunner.run(["unshare", "-m", "--propagation", "private", "sh", "-ec", """
            rm -f \(pending)
            mount -t tmpfs -o nosuid,nodev tmpfs \(partition)
            mkdir -p \(partition)/dsa/licenses
            printf '%s' '\(device.emp.base64EncodedString())' | base64 -d >\(partition)/dsa/licenses/EMP.lic
            printf '%s' '\(device.pas.base64EncodedString())' | base64 -d >\(partition)/dsa/licenses/PAS.lic
            mount -o remount,ro \(partition)
            set +e
            \(quoted) >/dev/null 2>\(errors)
            echo "STATUS $?"
            awk '$5 == "\(partition)" { split($6, o, ","); print "MOUNT " o[1] }' /proc/self/mountinfo
            test -e \(pending) && echo "PENDING yes" || echo "PENDING no"
            for f in \(partition)/dsa/licenses/*; do [ -e "$f" ] && echo "FILE ${f##*/} $(sha256sum <"$f" | cut -c1-64)"; done
            """])
        var status: Int32 = -1, readOnly = false, isPending = false, files: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            switch fields.first {
            case "STATUS": status = Int32(fields[1]) ?? -1
            case "MOUNT": readOnly = fields[1] == "ro"
            case "PENDING": isPending = fields[1] == "yes"
            case "FILE": files[fields[1]] = fields[2]
            default: break
            }
        }
        return Run(status: status, readOnly: readOnly, pending: isPending, files: files,
                   stderr: (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")
    }

    static func digest(_ data: Data) throws -> String {
        try ProcessRunner.checked(["sha256sum"], stdin: data).stdout.prefix(64).description
    }

    @Test(arguments: Change.allCases, ["EIO", "ENOSPC", "EINTR"])
    func everyFaultLeavesReadOnlyOrSaysSo(change: Change, errno: String) throws {
        let device = try Device()
        let digests = ["EMP.lic": try Self.digest(device.emp), "PAS.lic": try Self.digest(device.pas),
                       "PWT.lic": try Self.digest(device.new)]
        let before = ["EMP.lic", "PAS.lic"].reduce(into: [String: String]()) { $0[$1] = digests[$1] }
        let after = (device.expectedAfter[change] ?? []).reduce(into: [String: String]()) { $0[$1] = digests[$1] }
        try device.reset()
        let rules = try StateFileRules(device.tree)
        var runs = 0
        for syscall in ["mount", "openat", "read", "write", "fsync", "newfstatat", "getdents64", "mkdirat", "linkat",
                        "renameat2", "unlinkat"] {
            try device.reset()
            try rules.seed(device.tree)
            let trace = device.tree.directory.appending("trace")
            _ = try Self.run(device, change, strace: ["-y", "-o", trace, "-e", "trace=\(syscall)"])
            let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").filter { $0.contains(" \(syscall)(") }
            for call in lines.indices.filter({ lines[$0].contains(device.tree.root) }).map({ $0 + 1 }) {
                try device.reset()
                try rules.seed(device.tree)
                let run = try Self.run(device, change, strace: ["-o", "/dev/null", "-e", "inject=\(syscall):error=\(errno):when=\(call)"])
                runs += 1
                let site = "\(errno) at \(syscall) #\(call) of \(change)"
                #expect(run.readOnly || (run.pending && run.stderr.contains("license-partition-writable")),
                        "\(site): /license left writable without a word: \(run.stderr)")
                #expect(rules.violations(device.tree).isEmpty, "\(site): \(rules.violations(device.tree))\n\(run.stderr)")
                if errno == "EINTR" {
                    #expect(run.status == 0 && run.files == after && run.readOnly,
                            "\(site): an interrupted call is retried: \(run.files.keys.sorted())\n\(run.stderr)")
                } else if run.status == 0 {
                    #expect(run.files == after, "\(site): exit 0 but not the new set: \(run.files.keys.sorted())")
                } else {
                    #expect(run.files == before, "\(site): exit \(run.status) but not the old set: \(run.files.keys.sorted())")
                }
            }
        }
        print("fault injection on a read-only /license: \(change) with \(errno): \(runs) fault sites")
        #expect(runs > 20)
    }
}
