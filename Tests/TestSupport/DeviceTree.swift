import Foundation

/// A fake device for integration tests: a `--root` tree with the license partition, the
/// keyring of a test PKI, os-release and the settings directory, plus helpers to sign
/// licenses for it and to run the built `license-agent` against it as a user would.
///
/// Licenses are bound by default to the fixture unit (`00E0C51C5087`, the NIC of
/// `Tests/Fixtures/umockdev/device.umockdev`) and to this machine's own unit ID, so a test
/// may run the agent under umockdev (deterministic unit) or directly (real libudev).
public final class DeviceTree: @unchecked Sendable {
    public static let fixtureUnit = "00E0C51C5087"

    public let directory: TemporaryDirectory
    public let pki: TestPKI
    public var root: String { directory.path }
    public var licenseDirectory: String { directory.appending("license/dsa/licenses") }

    public init(pki: TestPKI? = nil, osVersion: String = "12.5.0", withKeyring: Bool = true) throws {
        self.pki = try pki ?? TestPKI.shared()
        directory = try TemporaryDirectory("device")
        _ = try directory.makeDirectory("license/dsa/licenses")
        _ = try directory.makeDirectory("wfs")
        _ = try directory.makeDirectory("run")
        try directory.write("etc/os-release", "NAME=\"IGEL OS\"\nVERSION_ID=\"\(osVersion)\"\n")
        if withKeyring { try directory.write("etc/license-agent/keyring.pem", self.pki.keyringPEM) }
    }

    /// The units licenses are bound to unless a test says otherwise.
    public static var defaultUnits: [String] {
        [fixtureUnit] + (machineUnit.map { [$0] } ?? [])
    }

    /// This machine's unit ID as the built agent sees it without umockdev, if it has one.
    public static let machineUnit: String? = {
        guard let result = try? ProcessRunner.run([Umockdev.agent, "unit-id"]), result.status == 0 else { return nil }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// A format-1 license document as JSON text.
    public static func document(licenseId: String = UUID().uuidString, product: String = "PAS",
                                model: String = "subscription", starts: String = "2026-01-01",
                                expires: String = TestDay.farFuture, units: [String] = defaultUnits,
                                issued: String = "2026-01-01T08:00:00Z", packId: String? = nil,
                                extra: [String: Any] = [:]) -> String {
        var object: [String: Any] = [
            "format": 1, "licenseId": licenseId, "issued": issued, "product": product, "model": model,
            "packId": packId ?? "\(product)-\(licenseId.prefix(5))", "starts": starts, "expires": expires,
            "units": units,
        ]
        for (key, value) in extra { object[key] = value }
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    /// Signs `document` with the test PKI (P-256 leaf unless told otherwise).
    public func sign(_ document: String, signer: TestPKI.Signer = .p256, format: TestPKI.Format = .pem) throws -> Data {
        try pki.sign(document: document, signer: signer, format: format)
    }

    /// Writes `contents` as an installed license file.
    @discardableResult
    public func install(_ name: String, _ contents: Data) throws -> String {
        try directory.write("license/dsa/licenses/\(name)", contents)
    }

    /// Signs and installs a license in one step; returns its license id.
    @discardableResult
    public func installLicense(_ name: String, product: String = "PAS", model: String = "subscription",
                               starts: String = "2026-01-01", expires: String = TestDay.farFuture,
                               units: [String] = defaultUnits, licenseId: String = UUID().uuidString) throws -> String {
        try install(name, sign(Self.document(licenseId: licenseId, product: product, model: model,
                                             starts: starts, expires: expires, units: units)))
        return licenseId
    }

    /// Writes a candidate file outside the device (as a stick or a rescue-shell file would be).
    public func candidate(_ name: String, _ contents: Data) throws -> String {
        try directory.write("incoming/\(name)", contents)
    }

    /// `/run/license-agent/state.json` as the last `check` published it.
    public func publishedState() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.appending("run/license-agent/state.json")))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ProcessRunner.Failure(description: "state.json is not a JSON object")
        }
        return object
    }

    /// The names in the license directory, sorted.
    public func installedNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: licenseDirectory).sorted()
    }

    /// Runs `license-agent --root ROOT arguments…` under umockdev with the fixture NIC,
    /// optionally at a fake time (`faketime` syntax, e.g. "2027-01-01 12:00:00").
    ///
    /// With `timeout`, the agent is killed after that many seconds (exit 124, as `timeout(1)`
    /// reports it): for tests of inputs that once made it hang.
    public func agent(_ arguments: [String], at time: String? = nil, umockdev: Bool = true,
                      timeout: Int? = nil) throws -> ProcessResult {
        // Options go after the (possibly nested) subcommand: --root goes last.
        var command = [Umockdev.agent] + arguments + ["--root", root]
        if umockdev {
            command = ["umockdev-run", "-d", try Umockdev.fixture("device"), "--"] + command
        }
        if let time { command = ProcessRunner.fakeClock(time) + command }
        if let timeout { command = ["timeout", "-k", "5", String(timeout)] + command }
        return try ProcessRunner.run(command)
    }

    /// The names in the license directory as raw bytes (hex), sorted: for names that are not
    /// UTF-8 or differ only in Unicode normalisation, which `String` cannot tell apart.
    public func installedNameBytes(_ relative: String = "license/dsa/licenses") throws -> [String] {
        let listing = try ProcessRunner.checked([
            "python3", "-c",
            "import os, sys; print('\\n'.join(sorted(n.hex() for n in os.listdir(sys.argv[1].encode()))))",
            directory.appending(relative),
        ]).stdout
        return listing.split(separator: "\n").map(String.init)
    }

    /// Creates `relative` with `contents` under a name given as raw bytes (`printf` escapes,
    /// e.g. `PAS-caf\\351.lic`), which a Swift `String` path cannot always spell.
    public func writeFile(rawName: String, in relative: String, contents: Data) throws {
        let source = try directory.write("raw-\(UUID().uuidString)", contents)
        try ProcessRunner.checked(["sh", "-c", "cp \"$1\" \"$2/$(printf \"$3\")\"", "sh",
                                   source, directory.appending(relative), rawName])
    }
}
