import Foundation
import Testing
import TestSupport

/// The state files a fault must never cost (CLI.md "One failed syscall never costs the
/// truth"), as the fault-injection runs check them after every run: the trusted-time mark
/// in `/wfs/license-agent/state.json` is still there and never earlier than it was, a state
/// file is never put aside as corrupt because of an I/O error, and every audit line is whole.
struct StateFileRules {
    /// `state.json` as a clean run of the agent left it, and one whole audit line.
    let state: Data
    let auditLine: String
    let mark: Date

    /// Takes the state a clean `check` writes on `tree` (which must be laid out for it).
    init(_ tree: DeviceTree) throws {
        let result = try tree.agent(["check"])
        try #require([0, 2].contains(result.status), "a clean check to seed the state: \(result)")
        state = try Data(contentsOf: URL(fileURLWithPath: tree.directory.appending("wfs/license-agent/state.json")))
        mark = try #require(Self.mark(in: state), "the clean check recorded a trusted-time mark")
        auditLine = #"{"action":"seeded","files":[],"outcome":"ok","time":"2000-01-01T00:00:00Z"}"# + "\n"
    }

    /// Puts the seeded state and audit log in place (after the test's own reset).
    func seed(_ tree: DeviceTree) throws {
        _ = try tree.directory.write("wfs/license-agent/state.json", state)
        _ = try tree.directory.write("wfs/license-agent/audit.log", auditLine)
    }

    /// What a run broke, as sentences; empty when every rule holds.
    func violations(_ tree: DeviceTree) -> [String] {
        violations(in: tree.directory.appending("wfs/license-agent"))
    }

    /// What a run broke in `folder`, the agent's state directory (or a copy of it).
    func violations(in folder: String) -> [String] {
        var found: [String] = []
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        if let corrupt = names.first(where: { $0.contains(".corrupt-") }) {
            found.append("a state file was put aside as corrupt: \(corrupt)")
        }
        if let state = FileManager.default.contents(atPath: folder + "/state.json") {
            if let recorded = Self.mark(in: state) {
                if recorded < mark { found.append("the trusted-time mark went back: \(recorded) < \(mark)") }
            } else {
                found.append("state.json lost its trusted-time mark: \(String(decoding: state, as: UTF8.self))")
            }
        } else {
            found.append("state.json is gone")
        }
        if let log = FileManager.default.contents(atPath: folder + "/audit.log") {
            let text = String(decoding: log, as: UTF8.self)
            if !text.hasPrefix(auditLine) { found.append("the earlier audit line changed") }
            if !text.isEmpty && !text.hasSuffix("\n") { found.append("the audit log ends in half a line") }
            for line in text.split(separator: "\n")
            where (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] == nil {
                found.append("a torn audit line: \(line)")
            }
        } else {
            found.append("audit.log is gone")
        }
        return found
    }

    static func mark(in state: Data) -> Date? {
        guard let object = try? JSONSerialization.jsonObject(with: state) as? [String: Any],
              let text = object["trustedTimeMark"] as? String else { return nil }
        return ISO8601DateFormatter().date(from: text)
    }
}

/// The rules themselves can fail: each broken state below is reported.
@Suite struct StateFileRulesTests {
    @Test func everyBrokenStateIsReported() throws {
        let tree = try DeviceTree()
        _ = try tree.installLicense("PAS.lic")
        let rules = try StateFileRules(tree)
        try rules.seed(tree)
        #expect(rules.violations(tree).isEmpty, "\(rules.violations(tree))")
        let earlier = ISO8601DateFormatter().string(from: rules.mark.addingTimeInterval(-86_400))
        let broken: [(String, String, String)] = [
            ("state.json", #"{"schemaVersion":1,"trustedTimeMark":"\#(earlier)"}"#, "went back"),
            ("state.json", #"{"schemaVersion":1}"#, "lost its trusted-time mark"),
            ("state.json.corrupt-20261205T000000Z", "{", "put aside as corrupt"),
            ("audit.log", rules.auditLine + #"{"action":"impo"#, "half a line"),
            ("audit.log", rules.auditLine + "{\"action\"\n", "torn audit line"),
            ("audit.log", "", "earlier audit line changed"),
        ]
        for (name, contents, expected) in broken {
            try rules.seed(tree)
            _ = try tree.directory.write("wfs/license-agent/" + name, contents)
            let found = rules.violations(tree)
            #expect(found.contains { $0.contains(expected) }, "\(name) = \(contents): \(found)")
        }
        try rules.seed(tree)
        try FileManager.default.removeItem(atPath: tree.directory.appending("wfs/license-agent/state.json"))
        #expect(rules.violations(tree).contains { $0.contains("state.json is gone") })
    }
}
