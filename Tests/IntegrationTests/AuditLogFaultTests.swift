import Foundation
import Testing
import TestSupport

/// Audit lines are whole (CLI.md "One failed syscall never costs the truth"): each line is one
/// `write` with `O_APPEND`; on a `/wfs` with room for only part of it, the part is taken back,
/// the change stands with the `audit-incomplete` warning, and the next line starts clean.
@Suite struct AuditLogFaultTests {
    /// Earlier lines of the log, exactly `size` bytes in all, each a whole JSON line.
    static func earlierLines(size: Int) -> String {
        let line = { (number: Int, padding: Int) in
            #"{"action":"earlier","detail":"line \#(number) "#  + String(repeating: "x", count: padding) + "\"}\n"
        }
        var text = ""
        var number = 1
        while text.utf8.count + 200 < size {
            text += line(number, 60)
            number += 1
        }
        return text + line(number, size - text.utf8.count - line(number, 0).utf8.count)
    }

    /// Every line of `text` must be a JSON object; returns them.
    static func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw ProcessRunner.Failure(description: "not a whole JSON line: \(line)")
            }
            return object
        }
    }

    /// A tmpfs of two pages on ROOT/wfs/license-agent: the log fills most of the first, a filler
    /// file the second, so a new line fits only partly (a short write, as on a full `/wfs`).
    /// `remove --product EMP` then writes its line; the filler goes; `remove --product PAS`
    /// writes the next one. Before, the first left half a line and the second continued it.
    @Test(.enabled(if: ProcessRunner.isRoot)) func aLineThatDoesNotFitIsTakenBackAndTheNextStartsClean() throws {
        let device = try DeviceTree()
        try device.installLicense("EMP.lic", product: "EMP")
        try device.installLicense("PAS.lic", product: "PAS")
        let state = device.directory.appending("wfs/license-agent")
        let log = state + "/audit.log"
        let earlier = Self.earlierLines(size: 4070)
        let seed = try device.directory.write("earlier.log", earlier)
        let agent = { (arguments: [String]) in
            try Umockdev.commandLine(deviceFile: try Umockdev.fixture("device"),
                                     [Umockdev.agent] + arguments + ["--root", device.root])
                .map { "'\($0)'" }.joined(separator: " ")
        }
        let result = try LicenseStoreTests.inNamespace("""
            mkdir -p \(state)
            mount -t tmpfs -o size=8k,mode=0700 tmpfs \(state)
            cp \(seed) \(log)
            head -c 4096 /dev/zero > \(state)/filler
            set +e
            \(try agent(["remove", "--product", "EMP"])) >\(device.directory.appending("first.out")) 2>&1
            echo "FIRST $?"
            cp \(log) \(device.directory.appending("after-first.log"))
            rm \(state)/filler
            \(try agent(["remove", "--product", "PAS"])) >\(device.directory.appending("second.out")) 2>&1
            echo "SECOND $?"
            cp \(log) \(device.directory.appending("after-second.log"))
            """)
        let first = (try? String(contentsOfFile: device.directory.appending("first.out"), encoding: .utf8)) ?? ""
        #expect(result.stdout.contains("FIRST 0"), "the removal stands although its line is missing: \(result)\n\(first)")
        #expect(first.contains("audit-incomplete"), "\(first)")
        let afterFirst = try String(contentsOfFile: device.directory.appending("after-first.log"), encoding: .utf8)
        #expect(afterFirst == earlier, "the partial line is taken back: \(afterFirst.suffix(200))")

        #expect(result.stdout.contains("SECOND 0"), "\(result)")
        let afterSecond = try String(contentsOfFile: device.directory.appending("after-second.log"), encoding: .utf8)
        let lines = try Self.lines(afterSecond)
        #expect(afterSecond.hasPrefix(earlier))
        #expect(lines.last?["action"] as? String == "remove", "\(lines.last ?? [:])")
        #expect((lines.last?["files"] as? [String]) == ["PAS.lic"], "\(lines.last ?? [:])")
        #expect(try device.installedNames().isEmpty)
    }

    /// A log that ends inside a line (a power cut between the write and the cut back): the
    /// next line starts on a line of its own, not glued to the torn one.
    @Test func aTornLineLeftByACrashIsClosedBeforeTheNextLine() throws {
        let device = try DeviceTree()
        try device.installLicense("EMP.lic", product: "EMP")
        let earlier = Self.earlierLines(size: 300)
        let torn = #"{"action":"remove","files":["PA"#
        try device.directory.write("wfs/license-agent/audit.log", earlier + torn)
        let result = try device.agent(["remove", "--product", "EMP"])
        #expect(result.status == 0, "\(result)")
        let text = try String(contentsOfFile: device.directory.appending("wfs/license-agent/audit.log"), encoding: .utf8)
        #expect(text.hasPrefix(earlier + torn + "\n"), "\(text)")
        let last = try #require(text.split(separator: "\n").last)
        let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        #expect(object?["action"] as? String == "remove", "\(last)")
        #expect(object?["files"] as? [String] == ["EMP.lic"], "\(last)")
    }
}
