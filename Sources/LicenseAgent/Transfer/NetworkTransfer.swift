import LicensePlatform
import LicensePolicy

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Every network transfer of the agent — `fetch`, `activate`, `deploy`'s poll and download —
/// as the root process sees it: a request handed to the network helper (`NetworkHelper`, this
/// same executable started again), which drops root, confines itself and runs libcurl; and
/// its answer, read like any other untrusted input. The root process never loads libcurl for
/// these commands; it verifies and installs what the answer carried exactly as before.
///
/// Files named in the options (`caFile`, `extraCAFile`) are read here, by root, and handed
/// over as bytes. A helper that crashes, is killed, overstays its time or answers anything but
/// one well-formed answer is a transfer error of its own, in one sentence.
public struct NetworkTransfer: Sendable {
    public typealias Options = CurlTransfer.Options

    /// The user the helper runs as on an installed device (`NetworkHelperSandbox.users`).
    public static var helperUser: String { NetworkHelperSandbox.users[0] }

    /// The executable started as the helper: this one, unless a test names another.
    let executable: String
    /// How much longer than the transfer's own time limit the helper may take (start-up).
    let grace: Duration

    public init(executable: String = "/proc/self/exe", grace: Duration = .seconds(10)) {
        self.executable = executable
        self.grace = grace
    }

    /// GETs `url` and returns the body; an HTTP status of 400 or more is an error.
    public func download(url: String, options: Options) throws(AgentError) -> [UInt8] {
        let response = try perform(TransferRequest(method: .get, url: url), options: options)
        try CurlTransfer.failOnErrorStatus(response, url: url)
        return response.body
    }

    /// GETs `url` with `headers` and returns whatever the server answered, whatever the status.
    public func get(url: String, headers: [String], options: Options) throws(AgentError) -> TransferResponse {
        try perform(TransferRequest(method: .get, url: url, headers: headers), options: options)
    }

    /// POSTs `body` and returns the response body; an HTTP status of 400 or more is an error.
    public func post(url: String, body: [UInt8], contentType: String, options: Options) throws(AgentError) -> [UInt8] {
        let response = try send(url: url, body: body, contentType: contentType, options: options)
        try CurlTransfer.failOnErrorStatus(response, url: url)
        return response.body
    }

    /// POSTs `body` and returns whatever the server answered, whatever the status.
    public func send(url: String, body: [UInt8], contentType: String, options: Options) throws(AgentError) -> TransferResponse {
        try perform(TransferRequest(method: .post, url: url, headers: ["Content-Type: \(contentType)"], body: body), options: options)
    }

    private func perform(_ request: TransferRequest, options: Options) throws(AgentError) -> TransferResponse {
        var request = request
        request.proxy = options.proxy
        request.limit = options.limit
        request.timeoutSeconds = options.timeoutSeconds
        request.allowedProtocols = options.allowedProtocols
        request.caCertificates = try options.caFile.map { path throws(AgentError) in try Self.readCAFile(path, url: request.url) }
        request.extraCACertificates = try options.extraCAFile.map { path throws(AgentError) in
            try CurlTransfer.readExtraCAFile(path, url: request.url)
        }
        let ending = try HelperProcess.run(executable, arguments: ["license-agent", NetworkHelper.command],
                                           input: TransferWire.encode(request),
                                           maximumOutput: request.limit + NetworkHelper.answerOverhead,
                                           timeout: .seconds(request.timeoutSeconds) + grace)
        return try Self.answer(of: ending, request: request).get()
    }

    /// The helper's answer, or the error its ending makes.
    static func answer(of ending: HelperProcess.Ending, request: TransferRequest) -> Result<TransferResponse, AgentError> {
        let failed = "The download from \(Credentials.redacted(request.url)) failed"
        switch ending {
        case .exited(0, let output):
            return TransferWire.decodeAnswer(output, limit: request.limit)
                ?? .failure(AgentError(.network, failed, cause: .text("the network helper's answer is malformed")))
        case .exited(let status, _):
            return .failure(AgentError(.network, failed, cause: .text("the network helper ended with exit status \(status) and no answer")))
        case .signalled(SIGSYS):
            return .failure(AgentError(.network, failed, cause: .text("the network helper was stopped by its system-call filter")))
        case .signalled(let signal):
            return .failure(AgentError(.network, failed, cause: .text("the network helper was killed by signal \(signal)")))
        case .timedOut:
            return .failure(AgentError(.network, failed,
                                       cause: .text("the network helper did not finish within \(request.timeoutSeconds) seconds and was stopped")))
        case .saidTooMuch:
            return .failure(AgentError(.network, "The download from \(Credentials.redacted(request.url)) is larger than the limit of \(request.limit) bytes",
                                       failure: .bodyOverLimit))
        }
    }

    /// The PEM certificates of `--cacert`, read by root (the helper may not be able to).
    static func readCAFile(_ path: String, url: String) throws(AgentError) -> [UInt8] {
        guard let pem = try DurableFile.read(path, limit: 1 << 20, followingSymlinks: true), !pem.isEmpty else {
            throw AgentError(.network, "The CA certificate file for \(Credentials.redacted(url)) is missing or empty", path: path)
        }
        return pem
    }
}
