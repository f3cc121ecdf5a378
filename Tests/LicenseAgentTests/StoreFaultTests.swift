import Foundation
import LicenseAgent
import LicensePlatform
import LicensePolicy
import SystemPackage
import Testing
import TestSupport

/// `LicenseStore` changes with each of their system calls failed in turn, in-process
/// (`SystemCallFaults`): the same rules as the strace runs of the integration tests (CLI.md
/// "One failed syscall never costs the truth"), in milliseconds instead of minutes. After
/// every run the license set is the old one or the new one, byte for byte; the outcome says
/// which; a failure names a file the administrator knows, never a temp or staging name; an
/// interrupted call is retried and the change goes through; nothing hidden is left behind.
@Suite struct StoreFaultTests {
    /// A device tree on a plain directory: `/license` is no mount, so the store changes it
    /// as it finds it, without a remount (a development tree).
    struct Device {
        let directory: TemporaryDirectory
        var layout: DeviceLayout { DeviceLayout(root: directory.path) }
        var licenseDirectory: String { directory.appending("license/dsa/licenses") }

        static let before: [String: [UInt8]] = ["EMP.lic": Array("EMP license bytes\n".utf8),
                                                "PAS.lic": Array("PAS license bytes\n".utf8)]
        static let new: [UInt8] = Array("PWT license bytes\n".utf8)

        init() throws {
            directory = try TemporaryDirectory("store-faults")
            for (name, bytes) in Self.before {
                try directory.write("license/dsa/licenses/" + name, Data(bytes))
            }
            _ = try directory.makeDirectory("wfs")
            _ = try directory.makeDirectory("run")
        }

        /// Every file in the license directory (hidden ones too) and its bytes.
        func files() throws -> [String: [UInt8]] {
            let names = try FileManager.default.contentsOfDirectory(atPath: licenseDirectory)
            return Dictionary(uniqueKeysWithValues: try names.map { name in
                (name, Array(try Data(contentsOf: URL(fileURLWithPath: licenseDirectory + "/" + name))))
            })
        }
    }

    enum Change: String, CaseIterable, CustomStringConvertible {
        case importNew, removeEMP, replaceAll

        var description: String { rawValue }

        var change: LicenseStore.Change {
            var change = LicenseStore.Change()
            switch self {
            case .importNew: change.add = [(name: "PWT.lic", bytes: Device.new)]
            case .removeEMP: change.remove = ["EMP.lic"]
            case .replaceAll:
                change.removeAllLicenses = true
                change.add = [(name: "PWT.lic", bytes: Device.new)]
            }
            return change
        }

        var after: [String: [UInt8]] {
            switch self {
            case .importNew: return Device.before.merging(["PWT.lic": Device.new]) { $1 }
            case .removeEMP: return Device.before.filter { $0.key != "EMP.lic" }
            case .replaceAll: return ["PWT.lic": Device.new]
            }
        }
    }

    /// Applies `change` on `device` under the writer lock, with `faults` installed for the change alone.
    static func apply(_ change: Change, on device: Device, faults: SystemCallFaults) throws -> Result<LicenseStore.Applied, AgentError> {
        try WriterLock.withLock(layout: device.layout, purpose: "store fault test") { lock throws(AgentError) in
            faults.run {
                Result { () throws(AgentError) -> LicenseStore.Applied in
                    try LicenseStore(layout: device.layout, lock: lock).apply(change.change)
                }
            }
        }
    }

    /// The calls a clean run of `change` makes, by name.
    static func calls(of change: Change) throws -> [(name: String, count: Int)] {
        let counting = SystemCallFaults()
        let outcome = try apply(change, on: try Device(), faults: counting)
        _ = try outcome.get()
        return counting.counts.filter { $0.key != "close" }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    @Test(arguments: Change.allCases, [Errno.ioError, .noSpace, .interrupted])
    func everyFailedCallLeavesTheOldOrTheNewSet(change: Change, errno: Errno) throws {
        let calls = try Self.calls(of: change)
        let counted = Dictionary(uniqueKeysWithValues: calls.map { ($0.name, $0.count) })
        // The trace covers what decides and what changes the set.
        for name in ["openat", "fstatat", "readdir", "mkdirat", "fsync", "renameat2"] {
            #expect(counted[name, default: 0] > 0, "\(change) makes no \(name): \(counted)")
        }
        var runs = 0
        for (name, count) in calls {
            for call in 1...count {
                let device = try Device()
                let outcome = try Self.apply(change, on: device, faults: SystemCallFaults(failing: name, call: call, with: errno))
                runs += 1
                let site = "\(errno) at \(name) #\(call) of \(change)"
                let files = try device.files()
                #expect(files.keys.allSatisfy { !$0.hasPrefix(".") }, "\(site): something left behind: \(files.keys.sorted())")
                switch outcome {
                case .success:
                    #expect(files == change.after, "\(site): the change succeeded but the set is \(files.keys.sorted())")
                case .failure(let error):
                    #expect(errno != .interrupted, "\(site): an interrupted call is retried: \(error.sentence)")
                    #expect(files == Device.before, "\(site): the change failed but the set is \(files.keys.sorted())")
                    let path = error.path ?? ""
                    #expect(path.hasPrefix(device.directory.path) || path == MountInfo.defaultPath,
                            "\(site): the error names a file: \(error.sentence)")
                    #expect(!error.sentence.contains(".licenses-staging-") && !error.sentence.contains(DurableFile.temporaryMarker),
                            "\(site): an internal name in the message: \(error.sentence)")
                    #expect(error.sentence.contains(errno.description), "\(site): the cause is said: \(error.sentence)")
                }
            }
        }
        #expect(runs > 40, "\(change): \(runs) fault sites")
        print("in-process fault injection: \(change) with \(errno): \(runs) fault sites \(counted.sorted { $0.key < $1.key })")
    }

    /// A listing that cannot inspect a file fails the change: the file is never taken for
    /// one that is gone (which would drop it from the new set).
    @Test func anUninspectableLicenseFailsTheChangeRatherThanDroppingIt() throws {
        let counting = SystemCallFaults()
        _ = try Self.apply(.importNew, on: try Device(), faults: counting).get()
        var failedOne = false
        for call in 1...(counting.counts["fstatat"] ?? 0) {
            let device = try Device()
            let outcome = try Self.apply(.importNew, on: device, faults: SystemCallFaults(failing: "fstatat", call: call, with: .ioError))
            if case .failure(let error) = outcome, error.path?.hasSuffix("/EMP.lic") == true {
                failedOne = true
                #expect(error.sentence.contains("Cannot inspect a file"), "\(error.sentence)")
                #expect(try device.files() == Device.before)
            }
        }
        #expect(failedOne, "an fstatat of EMP.lic was failed")
    }
}
