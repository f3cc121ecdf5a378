import Foundation

/// A loopback stand-in for the UMS's license delivery, run from
/// `Tests/Fixtures/servers/ums_server.py` (see there): license files with ETag and
/// Last-Modified under `/licenses/NAME`, the poll `GET /v1/devices/UNIT/license` answered from
/// files the test writes, and every request recorded so that a test can count downloads.
/// https with a `TestServerCA` certificate, or plain http. Stopped when the value goes away.
public final class UMSTestServer: @unchecked Sendable {
    public let port: Int
    public let plain: Bool
    /// Files served under `/licenses/`.
    public let files: String
    /// `UNIT.json` here answers the poll for UNIT with 200; `status` forces a status.
    public let pollDirectory: String
    private let recordPath: String
    private let log: String
    private let processID: Int32

    public var baseURL: String { "\(plain ? "http" : "https")://127.0.0.1:\(port)" }
    public var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// One request as the server saw it.
    public struct Request: Sendable {
        public let method: String
        public let path: String
        public let status: Int
        public let ifNoneMatch: String?
        public let ifModifiedSince: String?
        /// The names of every header the request carried, as the server parsed them.
        public let headerNames: [String]
        /// The uid owning the client's socket (`/proc/net/tcp`); nil when it was not found.
        public var peerUID: Int? = nil
    }

    public static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/servers/ums_server.py").path
    }

    public init(certificate: TestServerCA?, validators: Bool = true, workDirectory: TemporaryDirectory) throws {
        let tag = UUID().uuidString
        files = try workDirectory.makeDirectory("ums-\(tag)/licenses")
        pollDirectory = try workDirectory.makeDirectory("ums-\(tag)/poll")
        recordPath = workDirectory.appending("ums-\(tag)/requests.jsonl")
        log = workDirectory.appending("ums-\(tag)/server.log")
        plain = certificate == nil
        var arguments = [UMSTestServer.script, "--files", files, "--poll", pollDirectory, "--record", recordPath]
        if let certificate { arguments += ["--cert", certificate.certificatePath, "--key", certificate.keyPath] }
        else { arguments.append("--plain") }
        if !validators { arguments.append("--no-validators") }
        (processID, port) = try LoopbackTestServer.launch(arguments, log: log, what: "the UMS test server")
    }

    /// Puts `contents` under `/licenses/NAME` (a new file, so a new ETag).
    @discardableResult
    public func serve(_ name: String, _ contents: Data) throws -> String {
        try contents.write(to: URL(fileURLWithPath: files + "/" + name))
        return baseURL + "/licenses/" + name
    }

    /// Makes `/licenses/NAME` misbehave: `etag` is sent verbatim as its ETag; with
    /// `always304`, every request for it is answered 304 Not Modified.
    public func misbehave(_ name: String, etag: String? = nil, always304: Bool = false) throws {
        if let etag { try Data(etag.utf8).write(to: URL(fileURLWithPath: files + "/" + name + ".etag")) }
        if always304 { try Data().write(to: URL(fileURLWithPath: files + "/" + name + ".always-304")) }
    }

    /// Makes the poll for `unit` answer 200 with `{"downloadUrl": link}`.
    public func offer(_ link: String, to unit: String) throws {
        let body = try JSONSerialization.data(withJSONObject: ["downloadUrl": link])
        try body.write(to: URL(fileURLWithPath: pollDirectory + "/" + unit + ".json"))
    }

    /// Makes every poll answer `status` (with a two-line body).
    public func answerPolls(with status: Int) throws {
        try Data("\(status)\n".utf8).write(to: URL(fileURLWithPath: pollDirectory + "/status"))
    }

    /// Every request so far, oldest first.
    public func requests() -> [Request] {
        let text = (try? String(contentsOfFile: recordPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return Request(method: object["method"] as? String ?? "", path: object["path"] as? String ?? "",
                           status: object["status"] as? Int ?? 0, ifNoneMatch: object["ifNoneMatch"] as? String,
                           ifModifiedSince: object["ifModifiedSince"] as? String,
                           headerNames: object["headerNames"] as? [String] ?? [], peerUID: object["peerUID"] as? Int)
        }
    }

    /// Stops the server now ("server down"); also done on deinit.
    public func stop() {
        guard kill(processID, SIGKILL) == 0 else { return }
        while let stat = try? String(contentsOfFile: "/proc/\(processID)/stat", encoding: .utf8), !stat.contains(") Z ") {
            usleep(10_000)
        }
    }

    deinit { stop() }
}
