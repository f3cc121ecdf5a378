import Foundation
import LicenseAgent
import LicensePlatform
import LicensePolicy
import SystemPackage
import Testing
import TestSupport

/// `BootCheck` with each of its own system calls failed in turn, in-process
/// (`SystemCallFaults`): whatever fails around the licenses, an answer is published (CLI.md
/// "The boot check never leaves the device without an answer") and yesterday's answer never
/// stands for today's ("A published answer is never stale"); the licenses are untouched; an
/// interrupted call is retried and changes nothing in the outcome.
@Suite struct BootCheckFaultTests {
    static let stale = #"{"schemaVersion":1,"licensed":true,"stale":"yesterday's answer"}"#

    /// A device with one license and yesterday's answer still in `/run/license-agent`.
    static func device() throws -> DeviceTree {
        let tree = try DeviceTree()
        _ = try tree.installLicense("PAS.lic")
        _ = try tree.directory.write("run/license-agent/state.json", stale)
        return tree
    }

    /// Runs the check on `tree` with `faults` installed.
    static func check(_ tree: DeviceTree, faults: SystemCallFaults) -> BootCheck.Outcome {
        faults.run { BootCheck(layout: DeviceLayout(root: tree.root)).run() }
    }

    /// The published answer, parsed; nil when there is none.
    static func published(_ tree: DeviceTree) -> [String: Any]? {
        FileManager.default.contents(atPath: tree.directory.appending("run/license-agent/state.json"))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    @Test(arguments: [Errno.ioError, .noSpace, .interrupted])
    func everyFailedCallStillPublishesAnAnswerThatIsToday(errno: Errno) throws {
        let counting = SystemCallFaults()
        let probe = try Self.device()
        let clean = Self.check(probe, faults: counting)
        try #require(clean.publishFailure == nil && Self.published(probe)?["stale"] == nil, "a clean check publishes")
        let calls = counting.counts.filter { $0.key != "close" }.sorted { $0.key < $1.key }
        #expect(calls.contains { $0.key == "renameat" } && calls.contains { $0.key == "openat" }, "\(calls)")
        var runs = 0
        for (name, count) in calls {
            for call in 1...count {
                let tree = try Self.device()
                let license = try Data(contentsOf: URL(fileURLWithPath: tree.licenseDirectory + "/PAS.lic"))
                let outcome = Self.check(tree, faults: SystemCallFaults(failing: name, call: call, with: errno))
                runs += 1
                let site = "\(errno) at \(name) #\(call) of check"
                let answer = Self.published(tree)
                #expect(answer?["stale"] == nil, "\(site): yesterday's answer is still published")
                if outcome.publishFailure == nil {
                    #expect(answer?["licensed"] is Bool, "\(site): no answer, yet none was reported missing")
                    #expect((answer?["licensed"] as? Bool) == (outcome.status?.report.licensed ?? false), "\(site): \(answer ?? [:])")
                }
                if errno == .interrupted {
                    #expect(outcome.exitStatus == clean.exitStatus && outcome.errors.isEmpty == clean.errors.isEmpty,
                            "\(site): an interrupted call is retried: \(outcome.errors.map(\.sentence))")
                } else if outcome.exitStatus != 1 {
                    #expect(outcome.exitStatus == clean.exitStatus, "\(site): a fault turned into a verdict")
                }
                #expect(try tree.installedNames() == ["PAS.lic"], "\(site)")
                #expect(try Data(contentsOf: URL(fileURLWithPath: tree.licenseDirectory + "/PAS.lic")) == license, "\(site)")
            }
        }
        #expect(runs > 20, "\(runs) fault sites")
        print("in-process fault injection: check with \(errno): \(runs) fault sites \(calls.map { "\($0.key) \($0.value)" })")
    }
}
