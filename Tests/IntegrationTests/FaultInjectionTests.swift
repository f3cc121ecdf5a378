import Foundation
import Testing
import TestSupport

/// Every state-changing and reading syscall of a change, failed in turn (CLI.md "One failed
/// syscall never costs the truth"): strace injects EIO, ENOSPC or EINTR at the Nth call of
/// one syscall, for every N the command makes, and after each run the rules are checked —
/// the license set is the old one or the new one, byte for byte; the exit status says which
/// (0: the new set stands; anything else: nothing changed); an EINTR is retried, so the change
/// goes through; nothing is left behind in the license directory.
@Suite struct FaultInjectionTests {
    typealias Device = FailedSyscallTests.Device
    typealias Change = FailedSyscallTests.Change

    /// The syscalls a change makes that write, or read what decides it.
    static let syscalls = ["openat", "read", "write", "fsync", "newfstatat", "getdents64", "mkdirat", "linkat",
                           "renameat2", "unlinkat"]

    /// One change through every fault site: returns how many runs were made.
    static func drive(_ change: Change, errno: String) throws -> Int {
        let device = try Device()
        let before = ["EMP.lic": device.emp, "PAS.lic": device.pas]
        var after: [String: Data] = [:]
        for name in device.expectedAfter[change] ?? [] {
            after[name] = name == "EMP.lic" ? device.emp : name == "PAS.lic" ? device.pas : device.new
        }
        try device.reset()
        let rules = try StateFileRules(device.tree)
        var runs = 0
        for syscall in syscalls {
            // The calls on the device's own files (strace -y names every descriptor's path).
            let calls = try device.occurrences(of: syscall, change, seeding: rules) { $0.contains(device.tree.root) }
            for call in calls {
                try device.reset()
                try rules.seed(device.tree)
                let result = try device.run(change, strace: ["-o", "/dev/null", "-e", "inject=\(syscall):error=\(errno):when=\(call)"])
                runs += 1
                let site = "\(errno) at \(syscall) #\(call) of \(change)"
                let names = try device.tree.installedNames()
                let files = Dictionary(uniqueKeysWithValues: try names.map { name in
                    (name, try Data(contentsOf: URL(fileURLWithPath: device.tree.licenseDirectory + "/" + name)))
                })
                #expect(names.allSatisfy { !$0.hasPrefix(".") }, "\(site): something left behind: \(names)")
                #expect(rules.violations(device.tree).isEmpty, "\(site): \(rules.violations(device.tree))\n\(result)")
                if errno == "EINTR" {
                    #expect(result.status == 0 && files == after, "\(site): an interrupted call is retried: \(names)\n\(result)")
                } else if result.status == 0 {
                    #expect(files == after, "\(site): exit 0 but not the new set: \(names)\n\(result)")
                } else {
                    #expect(files == before, "\(site): exit \(result.status) but not the old set: \(names)\n\(result)")
                    #expect(!(result.stderr + result.stdout).isEmpty, "\(site): a failure says why")
                }
            }
        }
        return runs
    }

    @Test(arguments: Change.allCases, ["EIO", "ENOSPC", "EINTR"])
    func everyFaultLeavesTheOldOrTheNewSet(change: Change, errno: String) throws {
        let runs = try Self.drive(change, errno: errno)
        #expect(runs > 20, "the trace covers the change: \(runs) fault sites")
        print("fault injection: \(change) with \(errno): \(runs) fault sites")
    }
}

/// `config apply` through every fault site: the settings file is the old one or the new one,
/// exit 0 exactly when it is the new one, and an EINTR always goes through.
extension FaultInjectionTests {
    @Test(arguments: ["EIO", "ENOSPC", "EINTR"])
    func everyFaultOfConfigApplyLeavesTheOldOrTheNewSettings(errno: String) throws {
        let (probe, candidate) = try LastGoodPairTests.device()
        var runs = 0
        for syscall in Self.syscalls + ["renameat"] {
            let trace = probe.directory.appending("trace-\(syscall)")
            _ = try LastGoodPairTests.apply(probe, candidate, strace: ["-y", "-o", trace, "-e", "trace=\(syscall)"])
            let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
                .filter { $0.contains(" \(syscall)(") }
            let calls = lines.indices.filter { lines[$0].contains(probe.root) }.map { $0 + 1 }
            for call in calls {
                let (device, candidate) = try LastGoodPairTests.device()
                let result = try LastGoodPairTests.apply(device, candidate,
                                                         strace: ["-o", "/dev/null", "-e", "inject=\(syscall):error=\(errno):when=\(call)"])
                runs += 1
                let site = "\(errno) at \(syscall) #\(call) of config apply"
                let settings = FrozenConfigurationTests.settings(device)
                if errno == "EINTR" || result.status == 0 {
                    #expect(result.status == 0 && settings == LastGoodPairTests.changed, "\(site): \(result)")
                } else {
                    #expect(settings == LastGoodPairTests.original, "\(site): exit \(result.status), settings \(settings ?? "none")")
                }
            }
        }
        print("fault injection: config apply with \(errno): \(runs) fault sites")
        #expect(runs > 20)
    }
}

/// `check` through every fault site, with a profile that removes EMP assigned: the license set
/// is the old or the new one, an answer is published whenever `/run` takes one (never a torn
/// one), and an EINTR always goes through.
extension FaultInjectionTests {
    @Test(arguments: ["EIO", "ENOSPC", "EINTR"])
    func everyFaultOfCheckLeavesAWholeSetAndAnAnswer(errno: String) throws {
        let device = try Device()
        let before = ["EMP.lic", "PAS.lic"], after = ["PAS.lic"]
        let check = [Umockdev.agent, "check", "--root", device.tree.root]
        try device.reset()
        let rules = try StateFileRules(device.tree)
        let stale = #"{"schemaVersion":1,"licensed":false,"stale":"yesterday's answer"}"#
        var runs = 0
        for syscall in Self.syscalls {
            try device.reset()
            try rules.seed(device.tree)
            _ = try device.tree.directory.write("run/license-agent/state.json", stale)
            let trace = device.tree.directory.appending("trace")
            _ = try ProcessRunner.run(try Umockdev.reproducible("device") + ["strace", "-f", "-qq", "-y",
                                       "-o", trace, "-e", "trace=\(syscall)"] + check)
            let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").filter { $0.contains(" \(syscall)(") }
            for call in lines.indices.filter({ lines[$0].contains(device.tree.root) }).map({ $0 + 1 }) {
                try device.reset()
                try rules.seed(device.tree)
                _ = try device.tree.directory.write("run/license-agent/state.json", stale)
                let result = try ProcessRunner.run(try Umockdev.reproducible("device") + ["strace", "-f",
                                                    "-qq", "-o", "/dev/null", "-e", "inject=\(syscall):error=\(errno):when=\(call)"] + check)
                runs += 1
                let site = "\(errno) at \(syscall) #\(call) of check"
                let names = try device.tree.installedNames()
                #expect(names == before || names == after, "\(site): \(names)")
                if let published = FileManager.default.contents(atPath: device.tree.directory.appending("run/license-agent/state.json")) {
                    let answer = try? JSONSerialization.jsonObject(with: published) as? [String: Any]
                    #expect(answer?["licensed"] is Bool, "\(site): a whole answer: \(String(decoding: published, as: UTF8.self))")
                    #expect(answer?["stale"] == nil, "\(site): yesterday's answer is still published\n\(result)")
                }
                #expect(rules.violations(device.tree).isEmpty, "\(site): \(rules.violations(device.tree))\n\(result)")
                if errno == "EINTR" {
                    #expect(result.status == 0 && names == after, "\(site): an interrupted call is retried: \(result)")
                }
            }
        }
        print("fault injection: check with \(errno): \(runs) fault sites")
        #expect(runs > 20)
    }
}

/// `deploy` through every fault site on the device's files: the license set is the old one or
/// the old one plus the deployed license, exit 0 exactly when it went in, and an EINTR always
/// goes through. (The loopback UMS and its answers are not faulted: that is the network's
/// part, tested in DeployMisbehaviourTests. Nor is the network helper: strace follows only the
/// root process, whose Nth call is then the Nth line of its trace, as `when=` counts.)
extension FaultInjectionTests {
    @Test(arguments: ["EIO", "ENOSPC", "EINTR"])
    func everyFaultOfDeployLeavesTheOldOrTheNewSet(errno: String) throws {
        let setup = try DeployTests.Setup()
        let pas = try setup.device.sign(DeviceTree.document(product: "PAS"))
        try setup.settings(link: try setup.ums.serve("EMP-R9HXH.lic", setup.license()))
        func reset() throws {
            for relative in ["license/dsa", "wfs/license-agent", "run/license-agent"] {
                try? FileManager.default.removeItem(atPath: setup.device.directory.appending(relative))
            }
            _ = try setup.device.directory.makeDirectory("license/dsa/licenses")
            try setup.device.install("PAS.lic", pas)
        }
        let deploy = [Umockdev.agent, "deploy", "--root", setup.device.root]
        try reset()
        let rules = try StateFileRules(setup.device)
        var runs = 0
        for syscall in Self.syscalls {
            try reset()
            try rules.seed(setup.device)
            let trace = setup.device.directory.appending("trace")
            _ = try ProcessRunner.run(try Umockdev.reproducible("device") + ["strace", "-qq", "-y",
                                       "-o", trace, "-e", "trace=\(syscall)"] + deploy)
            let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("\(syscall)(") }
            for call in lines.indices.filter({ lines[$0].contains(setup.device.root) }).map({ $0 + 1 }) {
                try reset()
                try rules.seed(setup.device)
                let result = try ProcessRunner.run(try Umockdev.reproducible("device") + ["strace",
                                                    "-qq", "-o", "/dev/null", "-e", "inject=\(syscall):error=\(errno):when=\(call)"] + deploy)
                runs += 1
                let site = "\(errno) at \(syscall) #\(call) of deploy"
                let names = try setup.device.installedNames()
                let installed = names == ["EMP-R9HXH.lic", "PAS.lic"]
                #expect(rules.violations(setup.device).isEmpty, "\(site): \(rules.violations(setup.device))\n\(result)")
                if errno == "EINTR" || result.status == 0 {
                    #expect(result.status == 0 && installed, "\(site): \(names)\n\(result)")
                } else if installed {
                    // Only a step after the change may fail it (the reboot command, here faulted
                    // too), and then the output says the license is installed.
                    #expect(result.stderr.contains("The license is installed"), "\(site): \(result)")
                } else {
                    #expect(names == ["PAS.lic"], "\(site): exit \(result.status) but \(names)\n\(result)")
                }
            }
        }
        print("fault injection: deploy with \(errno): \(runs) fault sites")
        #expect(runs > 20)
    }
}
