import Foundation
import Testing
import TestSupport

/// One failed syscall never costs a license: strace makes a single call of the built agent
/// fail (`inject=SYSCALL:error=EIO:when=N`), at every occurrence in turn, and afterwards the
/// license directory holds the old set or the new one — and the exit status says which.
@Suite struct FailedSyscallTests {
    /// What the agent does, on a device with `PAS.lic` and `EMP.lic`.
    enum Change: String, CaseIterable {
        case removeEMP, importNew
        /// `import --replace`, which also removes the request file `/license/fetch.req`.
        case replaceAll
        /// `profiles run` with a profile that removes EMP assigned.
        case profileRun
    }

    final class Device {
        let tree: DeviceTree
        let emp: Data, pas: Data, new: Data
        let candidate: String

        init() throws {
            tree = try DeviceTree()
            pas = try tree.sign(DeviceTree.document(product: "PAS"))
            emp = try tree.sign(DeviceTree.document(product: "EMP"))
            new = try tree.sign(DeviceTree.document(product: "PWT", model: "perpetual"))
            candidate = try tree.candidate("PWT.lic", new)
        }

        func reset() throws {
            try? FileManager.default.removeItem(atPath: tree.directory.appending("license/dsa"))
            try? FileManager.default.removeItem(atPath: tree.directory.appending("wfs/license-agent"))
            _ = try tree.directory.makeDirectory("license/dsa/licenses")
            try tree.install("EMP.lic", emp)
            try tree.install("PAS.lic", pas)
            try tree.directory.write("license/fetch.req", "{}")
            try? FileManager.default.removeItem(atPath: tree.directory.appending("wfs/license-profiles"))
            try tree.directory.write("wfs/license-profiles/RemoveEMP.profile",
                                     "name: RemoveEMP\ndescription: Removes EMP\nselector: product:EMP\n")
        }

        func arguments(_ change: Change) -> [String] {
            switch change {
            case .removeEMP: return [Umockdev.agent, "remove", "--product", "EMP", "--root", tree.root]
            case .importNew: return [Umockdev.agent, "import", "--root", tree.root, candidate]
            case .replaceAll: return [Umockdev.agent, "import", "--replace", "--root", tree.root, candidate]
            case .profileRun: return [Umockdev.agent, "profiles", "run", "--root", tree.root]
            }
        }

        /// `strace OPTIONS… license-agent…` under umockdev with the fixture NIC.
        func run(_ change: Change, strace options: [String]) throws -> ProcessResult {
            try ProcessRunner.run(try Umockdev.reproducible("device") + ["strace", "-f", "-qq"]
                                  + options + arguments(change))
        }

        /// The occurrences (1-based, in call order) of `syscall` whose traced line satisfies `matches`.
        func occurrences(of syscall: String, _ change: Change, seeding rules: StateFileRules? = nil,
                         where matches: (Substring) -> Bool = { _ in true }) throws -> [Int] {
            try reset()
            try rules?.seed(tree)
            let trace = tree.directory.appending("trace")
            _ = try run(change, strace: ["-y", "-o", trace, "-e", "trace=\(syscall)"])
            let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
                .filter { $0.contains(" \(syscall)(") || $0.hasPrefix("\(syscall)(") }
            return lines.enumerated().compactMap { matches($0.element) ? $0.offset + 1 : nil }
        }

        var expectedAfter: [Change: [String]] {
            [.removeEMP: ["PAS.lic"], .importNew: ["EMP.lic", "PAS.lic", "PWT.lic"], .replaceAll: ["PWT.lic"],
             .profileRun: ["PAS.lic"]]
        }
    }

    /// An EIO from the `fstatat` of a license that the change does not touch: the change
    /// fails or succeeds, and that license is there either way.
    @Test(arguments: [Change.removeEMP, .importNew, .profileRun]) func anInspectionFailureNeverDropsALicense(change: Change) throws {
        let device = try Device()
        let calls = try device.occurrences(of: "newfstatat", change) { $0.contains("\"PAS.lic\"") }
        try #require(!calls.isEmpty, "the agent inspects PAS.lic")
        for call in calls {
            try device.reset()
            let result = try device.run(change, strace: ["-o", "/dev/null", "-e", "inject=newfstatat:error=EIO:when=\(call)"])
            let names = try device.tree.installedNames()
            #expect(names.contains("PAS.lic"), "EIO at fstatat #\(call): \(names)\n\(result)")
            if result.status == 0 {
                #expect(names == device.expectedAfter[change], "EIO at fstatat #\(call), exit 0: \(names)")
            } else {
                #expect(names == ["EMP.lic", "PAS.lic"], "EIO at fstatat #\(call), exit \(result.status): \(names)")
                #expect(result.stderr.contains("Input/output error"), "\(result)")
            }
            #expect(FileManager.default.contents(atPath: device.tree.licenseDirectory + "/PAS.lic") == device.pas)
        }
    }

    /// An error in any removal or fsync, before or after the set is swapped: a change that
    /// stands is reported as done (exit 0, audit line "removed" or "installed"), a change that
    /// did not happen as failed, never the one as the other.
    @Test(arguments: Change.allCases) func aFailureAfterTheSwapNeverReportsTheChangeAsFailed(change: Change) throws {
        let device = try Device()
        for syscall in ["unlinkat", "fsync"] {
            for call in try device.occurrences(of: syscall, change) {
                try device.reset()
                let result = try device.run(change, strace: ["-o", "/dev/null", "-e", "inject=\(syscall):error=EIO:when=\(call)"])
                let names = try device.tree.installedNames().filter { !$0.hasPrefix(".") }
                if names == device.expectedAfter[change] {
                    #expect(result.status == 0, "EIO at \(syscall) #\(call) after the change stood: \(result)")
                } else {
                    #expect(names == ["EMP.lic", "PAS.lic"], "EIO at \(syscall) #\(call): \(names)")
                    #expect(result.status != 0, "EIO at \(syscall) #\(call): nothing changed, yet \(result)")
                }
            }
        }
    }
}

extension FailedSyscallTests {
    /// An EIO reading an import candidate is no verdict about it (never `malformed`): the
    /// import changes nothing, exits 1 and says it could not read the file.
    @Test func aCandidateThatCannotBeReadIsAnErrorNotAVerdict() throws {
        let device = try Device()
        let calls = try device.occurrences(of: "read", .importNew) { $0.contains("incoming/PWT.lic") }
        try #require(!calls.isEmpty, "import reads the candidate")
        for call in calls {
            try device.reset()
            let result = try device.run(.importNew, strace: ["-o", "/dev/null", "-e", "inject=read:error=EIO:when=\(call)"])
            #expect(result.status == 1, "EIO at read #\(call): \(result)")
            #expect(result.stderr.contains("Cannot read") && result.stderr.contains("Nothing was changed"), "\(result)")
            #expect(!result.stdout.contains("malformed"), "\(result)")
            #expect(try device.tree.installedNames() == ["EMP.lic", "PAS.lic"])
        }
    }
}

extension FailedSyscallTests {
    /// A failure before the new set is swapped in names what the administrator knows: the
    /// license directory, not the staging directory; says that nothing was changed; and what
    /// to do. (The internal name only with --verbose.)
    @Test func aFailureBeforeTheSwapSaysNothingChangedWithoutInternalNames() throws {
        let device = try Device()
        for syscall in ["linkat", "mkdirat"] {
            let calls = try device.occurrences(of: syscall, .removeEMP) { $0.contains(".licenses-staging-") }
            try #require(!calls.isEmpty, "remove builds a staging directory (\(syscall))")
            try device.reset()
            let result = try device.run(.removeEMP, strace: ["-o", "/dev/null", "-e", "inject=\(syscall):error=EIO:when=\(calls[0])"])
            #expect(result.status == 1, "\(result)")
            #expect(result.stderr.contains("nothing was changed"), "\(result)")
            #expect(!result.stderr.contains(".licenses-staging-"), "\(result)")
            #expect(try device.tree.installedNames() == ["EMP.lic", "PAS.lic"])
        }
    }
}
