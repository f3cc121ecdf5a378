import Foundation
import TestSupport

/// A fake device tree for the import-source tests (USB, fetch, activate): the test PKI's root
/// as the keyring, an OS generation, an empty license directory, and licenses signed by the
/// test PKI for any unit.
final class ImportSourceFixture: @unchecked Sendable {
    let directory: TemporaryDirectory
    let pki: TestPKI
    var root: String { directory.appending("root") }
    var licenseDirectory: String { root + "/license/dsa/licenses" }
    var requestFile: String { root + "/license/fetch.req" }

    init(_ label: String, generation: Int = 12, agentConfig: String? = nil) throws {
        directory = try TemporaryDirectory(label)
        pki = try TestPKI.shared()
        try directory.write("root/etc/license-agent/keyring.pem", pki.keyringPEM)
        try directory.write("root/etc/os-release", "NAME=\"IGEL OS\"\nVERSION_ID=\"\(generation).01.100\"\n")
        if let agentConfig { try directory.write("root/etc/license-agent/agent.conf", agentConfig) }
        _ = try directory.makeDirectory("root/license/dsa/licenses")
        _ = try directory.makeDirectory("root/run")
        _ = try directory.makeDirectory("root/wfs")
    }

    /// This machine's unit ID as the agent sees it (outside umockdev), learned once.
    static let machineUnit: String = {
        let result = try? ProcessRunner.run([Umockdev.agent, "unit-id"])
        return result?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }()

    /// The unit ID of the onboard NIC in the umockdev testbeds below.
    static let testbedUnit = "00E0C51C5087"

    /// A license signed by the test PKI (P-256 leaf), valid from 2026-01-01 to ten years from today.
    func license(id: String, units: [String], product: String = "EMP", model: String = "subscription") throws -> Data {
        let document: [String: Any] = [
            "format": 1, "licenseId": id, "issued": "2026-01-01T08:00:00Z", "product": product, "model": model,
            "packId": "\(product)-\(id)", "starts": "2026-01-01", "expires": TestDay.farFuture, "units": units,
        ]
        let json = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        return try pki.sign(document: String(decoding: json, as: UTF8.self), signer: .p256)
    }

    /// The installed license file names.
    func installed() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: licenseDirectory).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// Runs `license-agent SUBCOMMAND --root ROOT ARGUMENTS…`.
    func agent(_ subcommand: String, _ arguments: [String]) throws -> ProcessResult {
        try ProcessRunner.run([Umockdev.agent, subcommand, "--root", root] + arguments)
    }

    /// results[] of an import's JSON, keyed by the last path component of `source`.
    static func results(_ result: ProcessResult) throws -> [String: [String: Any]] {
        var table: [String: [String: Any]] = [:]
        for entry in try result.json()["results"] as? [[String: Any]] ?? [] {
            let source = entry["source"] as? String ?? ""
            table[String(source.split(separator: "/").last ?? "")] = entry
        }
        return table
    }
}

/// A small ext4 image, filled from a directory, on a loop device that is detached when the
/// value goes away (root only).
final class StickImage {
    let device: String
    let major: String
    let minor: String

    init(populatedFrom contents: String, in directory: TemporaryDirectory) throws {
        let image = directory.appending("stick-\(UUID().uuidString).img")
        try ProcessRunner.checked(["truncate", "-s", "8M", image])
        try ProcessRunner.checked(["mkfs.ext4", "-q", "-d", contents, image])
        device = try ProcessRunner.checked(["losetup", "-f", "--show", image]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let number = try? ProcessRunner.checked(["stat", "-c", "%Hr:%Lr", device]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":").map(String.init)
        guard let number, number.count == 2 else {
            _ = try? ProcessRunner.run(["losetup", "-d", device])
            throw FixtureFailure(description: "cannot read the device number of \(device)")
        }
        (major, minor) = (number[0], number[1])
    }

    deinit { _ = try? ProcessRunner.run(["losetup", "-d", device]) }

    /// True when this loop device appears in the test process's own mount table.
    var isMountedHere: Bool {
        let table = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        return table.split(separator: "\n").contains { $0.contains(" \(major):\(minor) ") || $0.contains(" \(device) ") }
    }
}

struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
}
