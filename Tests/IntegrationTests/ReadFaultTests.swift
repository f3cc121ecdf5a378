import Foundation
import Testing
import TestSupport

/// An error reading is never a verdict (CLI.md "One failed syscall never costs the truth"):
/// strace makes one call that reads a license file, the keyring or a sysfs attribute fail
/// (`inject=SYSCALL:error=EIO:when=N`, at every occurrence in turn), and the agent says that
/// it could not read — an `errors[]` entry and exit 1 for `status` and `check`, "nothing was
/// changed" and exit 1 for `remove` — never `malformed`, "nothing matches" or
/// `unit-id-missing`. A signal that cuts a directory listing short (`EINTR` from
/// `getdents64`) is retried, as every other call is.
@Suite struct ReadFaultTests {
    /// A device with `PAS.lic` and `EMP.lic`, the agent run under umockdev with the fixture NIC.
    final class Device {
        let tree: DeviceTree
        let emp: Data, pas: Data

        init() throws {
            tree = try DeviceTree()
            emp = try tree.sign(DeviceTree.document(licenseId: "emp-1", product: "EMP"))
            pas = try tree.sign(DeviceTree.document(licenseId: "pas-1", product: "PAS"))
            try reset()
        }

        /// The two licenses and no agent state: every run makes the same calls in the same order.
        func reset() throws {
            for directory in ["license/dsa", "wfs/license-agent", "run/license-agent"] {
                try? FileManager.default.removeItem(atPath: tree.directory.appending(directory))
            }
            _ = try tree.directory.makeDirectory("license/dsa/licenses")
            try tree.install("EMP.lic", emp)
            try tree.install("PAS.lic", pas)
        }

        /// `strace OPTIONS… license-agent ARGUMENTS… --root ROOT` under umockdev, after a reset.
        func run(_ arguments: [String], strace options: [String]) throws -> ProcessResult {
            try reset()
            return try ProcessRunner.run(try Umockdev.reproducible("device") + ["strace", "-f", "-qq"]
                                         + options + [Umockdev.agent] + arguments + ["--root", tree.root])
        }

        /// The occurrences (1-based, in call order) of `syscall` in a run of `arguments` whose
        /// traced line (with descriptors shown as paths) contains `needle` (every one without).
        func occurrences(of syscall: String, _ arguments: [String], containing needle: String? = nil) throws -> [Int] {
            let trace = tree.directory.appending("trace")
            _ = try run(arguments, strace: ["-y", "-o", trace, "-e", "trace=\(syscall)"])
            let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
                .filter { $0.contains(" \(syscall)(") || $0.hasPrefix("\(syscall)(") }
            return lines.enumerated().compactMap { needle.map($0.element.contains) != false ? $0.offset + 1 : nil }
        }

        /// A run of `arguments` in which the `call`-th `syscall` fails with `error`.
        func run(_ arguments: [String], failing syscall: String, at call: Int, with error: String = "EIO") throws -> ProcessResult {
            try run(arguments, strace: ["-o", "/dev/null", "-e", "inject=\(syscall):error=\(error):when=\(call)"])
        }
    }

    static func errorPaths(_ json: [String: Any]) -> [String] {
        (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
    }

    static func verdicts(_ json: [String: Any]) -> [String: String] {
        var table: [String: String] = [:]
        for license in json["licenses"] as? [[String: Any]] ?? [] {
            if let file = license["file"] as? String { table[file] = license["verdict"] as? String }
        }
        return table
    }

    static func warningCodes(_ json: [String: Any]) -> [String] {
        (json["warnings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
    }

    /// EIO opening or reading `PAS.lic`: the file has no verdict (it once was `malformed`, the
    /// device NOT licensed, exit 2, `errors: []`); it is an `errors[]` entry naming the file,
    /// exit 1, and the other license is judged as always.
    @Test(arguments: [["check", "--json"], ["status", "--json"]])
    func aLicenseThatCannotBeReadIsAnErrorNotMalformed(command: [String]) throws {
        let device = try Device()
        let path = device.tree.licenseDirectory + "/PAS.lic"
        for syscall in ["openat", "read"] {
            let calls = try device.occurrences(of: syscall, command, containing: "PAS.lic")
            try #require(!calls.isEmpty, "\(command) \(syscall)s PAS.lic")
            for call in calls {
                let result = try device.run(command, failing: syscall, at: call)
                let json = try result.json()
                #expect(result.status == 1, "EIO at \(syscall) #\(call): \(result)")
                #expect(Self.errorPaths(json).contains(path), "EIO at \(syscall) #\(call): \(json)")
                #expect(Self.verdicts(json)["PAS.lic"] == nil, "EIO at \(syscall) #\(call): no verdict: \(json)")
                #expect(Self.verdicts(json)["EMP.lic"] == "valid", "EIO at \(syscall) #\(call): \(json)")
                #expect(result.stderr.contains("Input/output error"), "EIO at \(syscall) #\(call): \(result)")
            }
        }
    }

    /// EIO reading the license to be removed, or the keyring: `remove` once said "nothing
    /// matches; nothing removed" and exited 0. It fails before anything is touched, says so,
    /// and both licenses are there byte for byte.
    @Test(arguments: ["EMP.lic>", "keyring.pem>"])
    func removeThatCannotReadSaysNothingWasChanged(file: String) throws {
        let device = try Device()
        let command = ["remove", "--product", "EMP"]
        let calls = try device.occurrences(of: "read", command, containing: file)
        try #require(!calls.isEmpty, "remove reads \(file)")
        for call in calls {
            let result = try device.run(command, failing: "read", at: call)
            #expect(result.status == 1, "EIO at read #\(call) of \(file): \(result)")
            #expect(result.stderr.contains("Nothing was changed") || result.stderr.contains("nothing was changed"),
                    "EIO at read #\(call) of \(file): \(result)")
            #expect(!result.stdout.contains("nothing matches"), "EIO at read #\(call) of \(file): \(result)")
            #expect(try device.tree.installedNames() == ["EMP.lic", "PAS.lic"], "EIO at read #\(call) of \(file)")
            #expect(FileManager.default.contents(atPath: device.tree.licenseDirectory + "/EMP.lic") == device.emp)
        }
    }

    /// EIO reading the keyring in `check`: no license can be judged, so none gets a verdict
    /// (every one was `untrusted`, with `errors: []`); the published answer is the bare
    /// "not licensed, and why" with the keyring in `errors[]`, and `check` exits 1.
    @Test func aKeyringThatCannotBeReadIsAnErrorNotUntrusted() throws {
        let device = try Device()
        let keyring = device.tree.directory.appending("etc/license-agent/keyring.pem")
        let command = ["check", "--json"]
        let calls = try device.occurrences(of: "read", command, containing: "keyring.pem>")
        try #require(!calls.isEmpty, "check reads the keyring")
        for call in calls {
            let result = try device.run(command, failing: "read", at: call)
            #expect(result.status == 1, "EIO at read #\(call): \(result)")
            let state = try device.tree.publishedState()
            #expect(state["licensed"] as? Bool == false, "EIO at read #\(call): \(state)")
            #expect(Self.errorPaths(state).contains(keyring), "EIO at read #\(call): \(state)")
            #expect(!Self.verdicts(state).values.contains("untrusted"), "EIO at read #\(call): \(state)")
        }
    }

    /// EIO reading the NIC's `address` in sysfs: the unit ID could not be read, which is an
    /// error of the run — not `unit-id-missing` with advice to connect a network adapter.
    @Test func aSysfsAttributeThatCannotBeReadIsAnErrorNotAMissingUnitID() throws {
        let device = try Device()
        for command in [["check", "--json"], ["status", "--json"]] {
            let calls = try device.occurrences(of: "read", command, containing: "/net/eno1/address>")
            try #require(!calls.isEmpty, "\(command) reads the NIC's address")
            for call in calls {
                let result = try device.run(command, failing: "read", at: call)
                let json = try result.json()
                #expect(result.status == 1, "\(command), EIO at read #\(call): \(result)")
                #expect(!Self.warningCodes(json).contains("unit-id-missing"), "\(command), EIO at read #\(call): \(json)")
                #expect(Self.errorPaths(json).contains { $0.hasSuffix("/net/eno1/address") },
                        "\(command), EIO at read #\(call): \(json)")
            }
        }
        let unitID = ["unit-id"]
        for call in try device.occurrences(of: "read", unitID, containing: "/net/eno1/address>") {
            let result = try device.run(unitID, failing: "read", at: call)
            #expect(result.status == 1, "unit-id, EIO at read #\(call): \(result)")
            #expect(result.stderr.contains("Input/output error"), "unit-id, EIO at read #\(call): \(result)")
            #expect(!result.stderr.contains("network adapter"), "unit-id, EIO at read #\(call): \(result)")
        }
    }

    /// `EINTR` from any `getdents64` of a run: the listing is retried, and the run ends as it
    /// does without the signal (it once failed with "Cannot list a directory: Interrupted
    /// system call").
    @Test(arguments: [["status", "--json"], ["remove", "--product", "EMP"], ["check", "--json"]])
    func anInterruptedListingIsRetried(command: [String]) throws {
        let device = try Device()
        let clean = try device.run(command, strace: ["-o", "/dev/null", "-e", "trace=none"])
        let cleanNames = try device.tree.installedNames()
        let calls = try device.occurrences(of: "getdents64", command)
        try #require(!calls.isEmpty, "\(command) lists a directory")
        for call in calls {
            let result = try device.run(command, failing: "getdents64", at: call, with: "EINTR")
            #expect(result.status == clean.status, "EINTR at getdents64 #\(call): \(result)")
            #expect(try device.tree.installedNames() == cleanNames, "EINTR at getdents64 #\(call)")
            #expect(!result.stderr.contains("Interrupted system call"), "EINTR at getdents64 #\(call): \(result)")
            if command.contains("--json") {
                let json = try result.json()
                #expect(Self.verdicts(json) == ["EMP.lic": "valid", "PAS.lic": "valid"], "EINTR at getdents64 #\(call): \(json)")
                #expect((json["errors"] as? [Any])?.isEmpty != false, "EINTR at getdents64 #\(call): \(json)")
            }
        }
    }
}
