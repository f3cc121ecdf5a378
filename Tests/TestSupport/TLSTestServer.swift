import Foundation

/// A server CA and a certificate for `127.0.0.1`, made with the `openssl` program at test time:
/// what a TLS test server presents and what `--cacert` must name for the agent to trust it.
///
/// Both are valid from `yearsAround` years before the test's clock to as many after it, so a
/// test that runs the agent at a faked date (or a suite run days or years ahead) never meets
/// "certificate is not yet valid" or "has expired" unless it asks for it.
public final class TestServerCA: @unchecked Sendable {
    public let directory: TemporaryDirectory
    /// PEM of the CA certificate (pass to `--cacert`).
    public var caPath: String { directory.appending("ca.crt") }
    public var certificatePath: String { directory.appending("server.crt") }
    public var keyPath: String { directory.appending("server.key") }
    /// The certificates' validity, as `openssl ca` dates.
    public let notBefore: String, notAfter: String

    public init(yearsAround: Int = 40, now: Date = Date()) throws {
        directory = try TemporaryDirectory("test-server-ca")
        let calendar = Calendar(identifier: .gregorian)
        notBefore = Self.generalizedTime(calendar.date(byAdding: .year, value: -yearsAround, to: now)!)
        notAfter = Self.generalizedTime(calendar.date(byAdding: .year, value: yearsAround, to: now)!)
        try directory.write("index.txt", "")
        try directory.write("serial", String(format: "%04X\n", Int.random(in: 0x1000...0xEFFF)))
        let config = try directory.write("ca.cnf", """
            [ ca ]
            default_ca = this
            [ this ]
            database = \(directory.appending("index.txt"))
            new_certs_dir = \(directory.path)
            serial = \(directory.appending("serial"))
            default_md = sha256
            policy = anything
            unique_subject = no
            copy_extensions = none
            [ anything ]
            organizationName = optional
            commonName = supplied
            [ v3_ca ]
            basicConstraints = critical,CA:TRUE
            keyUsage = critical,keyCertSign,cRLSign
            [ server ]
            basicConstraints = critical,CA:FALSE
            keyUsage = critical,digitalSignature,keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = IP:127.0.0.1,DNS:localhost
            """)
        let ca = directory.appending("ca")
        try request(subject: "/O=Test/CN=Test Server CA", key: ca + ".key", out: ca + ".csr")
        try ProcessRunner.checked(["openssl", "ca", "-batch", "-config", config, "-selfsign", "-keyfile", ca + ".key",
                                   "-in", ca + ".csr", "-startdate", notBefore, "-enddate", notAfter,
                                   "-extfile", config, "-extensions", "v3_ca", "-notext", "-out", caPath])
        try request(subject: "/CN=127.0.0.1", key: keyPath, out: directory.appending("server.csr"))
        try ProcessRunner.checked(["openssl", "ca", "-batch", "-config", config, "-cert", caPath, "-keyfile", ca + ".key",
                                   "-in", directory.appending("server.csr"), "-startdate", notBefore, "-enddate", notAfter,
                                   "-extfile", config, "-extensions", "server", "-notext", "-out", certificatePath])
    }

    private func request(subject: String, key: String, out: String) throws {
        try ProcessRunner.checked(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", subject,
                                   "-keyout", key, "-out", out])
    }

    /// `YYYYMMDDHHMMSSZ`, which `openssl ca -startdate/-enddate` takes for any year.
    static func generalizedTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMddHHmmss'Z'"
        return formatter.string(from: date)
    }
}

/// A loopback server run from `Tests/Fixtures/servers/license_server.py` with the system
/// python3 (which has python3-pyftpdlib): an HTTPS file and license server with a test
/// certificate, or an anonymous FTP server. Stopped when the value goes away.
///
/// HTTPS paths: `/files/NAME` (from `files`), `/redirect/NAME`, `/loop` (redirect loop),
/// `/to-file/NAME` (redirect to `file:`), `/big.lic` and `/big-chunked.lic` (5 MiB), anything
/// else 404, and `POST /v1/evaluation`, which checks the request against `unit`/`generation`,
/// records it in `record` (JSON: `body`, `problems`, and `requestFile`: the contents of
/// `requestFile` when the request arrived), and answers with `evaluationLicense`.
public final class LoopbackTestServer: @unchecked Sendable {
    public enum Mode: String, Sendable { case https, http, ftp }

    public let port: Int
    public let mode: Mode
    private let processID: Int32
    private let log: String

    public var baseURL: String { "\(mode.rawValue)://127.0.0.1:\(port)" }

    private let peersPath: String

    /// For every http(s) request so far, oldest first: its path and the uid owning the client's
    /// socket (nil when `/proc/net/tcp` did not list it).
    public func peers() -> [(path: String, uid: Int?)] {
        let text = (try? String(contentsOfFile: peersPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return (object["path"] as? String ?? "", object["uid"] as? Int)
        }
    }

    /// What the server logged (requests, errors), for failure messages.
    public var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    public static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/servers/license_server.py").path
    }

    /// The python3 that has pyftpdlib: Debian's, not a development environment's.
    public static var python: String {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
    }

    public init(mode: Mode, files: String, certificate: TestServerCA? = nil, unit: String = "", generation: Int = 12,
                evaluationLicense: String? = nil, record: String? = nil, requestFile: String? = nil,
                workDirectory: TemporaryDirectory) throws {
        peersPath = workDirectory.appending("peers-\(mode.rawValue)-\(UUID().uuidString).jsonl")
        self.mode = mode
        var arguments = [LoopbackTestServer.script, "--mode", mode.rawValue, "--files", files,
                         "--unit", unit, "--generation", String(generation)]
        if let certificate { arguments += ["--cert", certificate.certificatePath, "--key", certificate.keyPath] }
        if let evaluationLicense { arguments += ["--evaluation-license", evaluationLicense] }
        if let record { arguments += ["--record", record] }
        if let requestFile { arguments += ["--request-file", requestFile] }
        if mode != .ftp { arguments += ["--peers", peersPath] }
        log = workDirectory.appending("server-\(mode.rawValue)-\(UUID().uuidString).log")

        (processID, port) = try LoopbackTestServer.launch(arguments, log: log, what: "the \(mode) test server")
    }

    /// Starts `python3 arguments…` (a server script that prints `PORT N` once it listens) in
    /// the background, by a shell that exits at once — the server is not a child the test
    /// process must reap, and its stdout closes after the port line; stderr goes to `log`.
    static func launch(_ arguments: [String], log: String, what: String) throws -> (processID: Int32, port: Int) {
        let launcher = "log=$1; shift; \"$@\" </dev/null 2>>\"$log\" & echo \"PID $!\""
        let started = try ProcessRunner.run(["/bin/sh", "-c", launcher, "sh", log,
                                             try ProcessRunner.resolve(python)] + arguments)
        var processID: Int32?, port: Int?
        for line in started.stdout.split(separator: "\n") {
            if line.hasPrefix("PID ") { processID = Int32(line.dropFirst(4)) }
            if line.hasPrefix("PORT ") { port = Int(line.dropFirst(5)) }
        }
        guard let processID else { throw ProcessRunner.Failure(description: "\(what) was not started: \(started)") }
        guard let port else {
            kill(processID, SIGKILL)
            throw ProcessRunner.Failure(description: "\(what) did not start: \(started)\n"
                + ((try? String(contentsOfFile: log, encoding: .utf8)) ?? ""))
        }
        return (processID, port)
    }

    /// Stops the server now (e.g. to test "server down"); also done on deinit. Returns once
    /// the process has exited, so its port is closed.
    public func stop() {
        guard kill(processID, SIGKILL) == 0 else { return }
        while let stat = try? String(contentsOfFile: "/proc/\(processID)/stat", encoding: .utf8),
              !stat.contains(") Z ") {
            usleep(10_000)
        }
    }

    deinit { stop() }
}
