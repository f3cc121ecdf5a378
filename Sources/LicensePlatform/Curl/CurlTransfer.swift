internal import CCurl
import LicensePolicy

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One libcurl easy handle (`CURL *`) configured for the agent's transfers: fetching a license
/// file, posting an activation request (CLI.md "Imports", Network), and the UMS's conditional
/// download and license poll (DELIVERY.md).
///
/// Every transfer verifies TLS peers and host names (system CA store, or `caFile`, plus
/// `extraCAFile` beside the store), follows at most 5 redirects, stops after `timeout`
/// seconds, and never keeps more than `limit` bytes: the write callback aborts the transfer as
/// soon as the body grows past it, and `CURLOPT_MAXFILESIZE` refuses an announced size above
/// it before any byte arrives. Protocols are limited to `allowedProtocols`; a redirect may
/// never lead to `file:`, nor from an encrypted transport (https, ftps) to a plain one.
/// Only the proxy the caller names is used; `http_proxy`-style environment variables are not
/// (the boot service has no environment, and the configured proxy is the contract).
/// Credentials in a URL never appear in a message (`Credentials.redacted`).
/// Needs libcurl 7.85 or later (`CURLOPT_PROTOCOLS_STR`).
///
/// Errors say what failed — the URL, libcurl's or the server's answer — and leave the remedy
/// to the caller, which knows what the transfer was for; the failures a caller must tell
/// apart carry an `AgentError.Failure` (`libcurlMissing`, `bodyOverLimit`, `extraCAFileMissing`).
public final class CurlTransfer {
    /// What one transfer may do.
    public struct Options: Sendable {
        public var proxy: String?
        /// Trust these CA certificates (PEM) instead of the system store.
        public var caFile: String?
        /// Trust these CA certificates (PEM) as well as the store (the UMS's `ums_ca`).
        public var extraCAFile: String?
        public var limit: Int
        public var timeoutSeconds: Int
        /// Comma-separated schemes for `CURLOPT_PROTOCOLS_STR`.
        public var allowedProtocols: String
        /// PEM certificates trusted instead of the system store, given as bytes rather than
        /// as `caFile` (the network helper's way: the root process read the file).
        public var caCertificates: [UInt8]?
        /// PEM certificates trusted as well, given as bytes rather than as `extraCAFile`.
        public var extraCACertificates: [UInt8]?

        public init(proxy: String? = nil, caFile: String? = nil, extraCAFile: String? = nil,
                    limit: Int = LicenseLimits.maximumFileSize, timeoutSeconds: Int = 30,
                    allowedProtocols: String = "https,http,ftp,ftps,file") {
            self.proxy = proxy
            self.caFile = caFile
            self.extraCAFile = extraCAFile
            self.limit = limit
            self.timeoutSeconds = timeoutSeconds
            self.allowedProtocols = allowedProtocols
        }
    }

    /// What a server answered (`TransferResponse`).
    public typealias Response = TransferResponse

    private let handle: UnsafeMutableRawPointer
    /// libcurl writes its detailed message for the last failure here (`CURLOPT_ERRORBUFFER`).
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headers: UnsafeMutablePointer<curl_slist>?

    /// `curl_global_init`, once per process (Swift runs a static initialiser exactly once).
    private static let globalInitialisation: CURLcode = curl_shim_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Opens libcurl (see CCurl's shim: it is loaded on first use, never at start-up).
    public init() throws(AgentError) {
        guard curl_shim_available() != 0 else {
            throw CurlTransfer.libcurlMissingError()
        }
        let initialised = CurlTransfer.globalInitialisation
        guard initialised == CURLE_OK else {
            throw AgentError(.network, "libcurl could not start", cause: CurlTransfer.cause(initialised, detail: ""))
        }
        guard let easy = curl_shim_easy_init() else {
            throw AgentError(.network, "libcurl could not create a transfer handle")
        }
        handle = easy
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_shim_easy_cleanup(handle)
        if let headers { curl_shim_slist_free_all(headers) }
        errorBuffer.deallocate()
    }

    /// GETs `url` (https, http, ftp, ftps or file) and returns the body; an HTTP status of
    /// 400 or more is an error.
    public func download(url: String, options: Options) throws(AgentError) -> [UInt8] {
        let response = try perform(url: url, options: options, configure: { () throws(AgentError) in })
        try CurlTransfer.failOnErrorStatus(response, url: url)
        return response.body
    }

    /// GETs `url` with extra request headers (`If-None-Match: "…"`) and returns whatever the
    /// server answered, whatever the status: the caller decides what 204, 304 or 404 mean.
    public func get(url: String, headers requestHeaders: [String], options: Options) throws(AgentError) -> Response {
        try perform(url: url, options: options) { () throws(AgentError) in
            guard !requestHeaders.isEmpty else { return }
            try setHeaders(requestHeaders, url: url)
        }
    }

    /// POSTs `body` with `contentType` to `url` and returns the response body; an HTTP status
    /// of 400 or more is an error.
    public func post(url: String, body: [UInt8], contentType: String, options: Options) throws(AgentError) -> [UInt8] {
        let response = try send(url: url, body: body, contentType: contentType, options: options)
        try CurlTransfer.failOnErrorStatus(response, url: url)
        return response.body
    }

    /// POSTs `body` with `contentType` to `url` and returns whatever the server answered,
    /// whatever the status: the caller decides what a status means.
    public func send(url: String, body: [UInt8], contentType: String, options: Options) throws(AgentError) -> Response {
        try perform(url: url, options: options) { () throws(AgentError) in
            try setHeaders(["Content-Type: \(contentType)", "Expect:"], url: url)
            try set(CURLOPT_POSTFIELDSIZE, Int(body.count), url: url)
            // COPYPOSTFIELDS: libcurl keeps its own copy, so `body` need not outlive this call.
            try body.withUnsafeBufferPointer { buffer throws(AgentError) in
                let start = UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                try set(CURLOPT_COPYPOSTFIELDS, pointer: start, url: url)
            }
        }
    }

    /// Carries out `request` (the network helper's one call): a GET with its headers or a
    /// POST of its body, answered whatever the status.
    public func perform(_ request: TransferRequest) throws(AgentError) -> Response {
        var options = Options(proxy: request.proxy, limit: request.limit, timeoutSeconds: request.timeoutSeconds,
                              allowedProtocols: request.allowedProtocols)
        options.caCertificates = request.caCertificates
        options.extraCACertificates = request.extraCACertificates
        switch request.method {
        case .get:
            return try get(url: request.url, headers: request.headers, options: options)
        case .post:
            let contentType = request.headers.first { $0.lowercased().hasPrefix("content-type:") }
                .map { String($0.dropFirst("content-type:".count)).trimmingASCIIWhitespace() } ?? "application/octet-stream"
            return try send(url: request.url, body: request.body, contentType: contentType, options: options)
        }
    }

    /// Sends `lines` as the request's headers. The list is built whole before libcurl sees it;
    /// `headers` is always the list the handle holds (an earlier request's is freed once it
    /// is replaced, the last one with the handle).
    private func setHeaders(_ lines: [String], url: String) throws(AgentError) {
        var list: UnsafeMutablePointer<curl_slist>?
        do throws(AgentError) {
            for line in lines {
                guard let extended = curl_shim_slist_append(list, line) else {
                    throw AgentError(.network, "libcurl could not build the request headers", path: Credentials.redacted(url))
                }
                list = extended
            }
            try set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(list), url: url)
        } catch {
            if let list { curl_shim_slist_free_all(list) }
            throw error
        }
        if let earlier = headers { curl_shim_slist_free_all(earlier) }
        headers = list
    }

    /// An HTTP status of 400 or more as the error `download` and `post` report.
    public static func failOnErrorStatus(_ response: Response, url: String) throws(AgentError) {
        if let status = response.status, status >= 400 {
            throw AgentError(.network, "The download from \(Credentials.redacted(url)) failed", cause: .httpStatus(status))
        }
    }

    /// Common settings, the transfer itself, and turning its outcome into a response or an error.
    private func perform(url: String, options: Options, configure: () throws(AgentError) -> Void) throws(AgentError) -> Response {
        let sink = ResponseSink(limit: options.limit)
        let shown = Credentials.redacted(url)
        try set(CURLOPT_URL, string: url, url: url)
        try set(CURLOPT_PROTOCOLS_STR, string: options.allowedProtocols, url: url)
        try set(CURLOPT_REDIR_PROTOCOLS_STR, string: CurlTransfer.redirectProtocols(from: url, allowed: options.allowedProtocols),
                url: url)
        try set(CURLOPT_FOLLOWLOCATION, 1, url: url)
        try set(CURLOPT_MAXREDIRS, 5, url: url)
        try set(CURLOPT_TIMEOUT, options.timeoutSeconds, url: url)
        try set(CURLOPT_MAXFILESIZE, options.limit, url: url)
        try set(CURLOPT_NOSIGNAL, 1, url: url)
        try set(CURLOPT_SSL_VERIFYPEER, 1, url: url)
        try set(CURLOPT_SSL_VERIFYHOST, 2, url: url)
        try set(CURLOPT_PROXY_SSL_VERIFYPEER, 1, url: url)
        try set(CURLOPT_PROXY_SSL_VERIFYHOST, 2, url: url)
        if let caFile = options.caFile { try set(CURLOPT_CAINFO, string: caFile, url: url) }
        if let extra = options.extraCACertificates {
            try trust(bundle: (options.caCertificates ?? defaultStore(caFile: options.caFile)) + extra, url: url)
        } else if let pem = options.caCertificates {
            try trust(bundle: pem, url: url)
        } else if let extra = options.extraCAFile {
            try addTrustedCertificates(extra, caFile: options.caFile, url: url)
        }
        // An empty proxy switches off the environment's proxy variables as well.
        try set(CURLOPT_PROXY, string: options.proxy ?? "", url: url)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer), url: url)
        try check(curl_shim_setopt_write_function(handle, curlWriteCallback), url: url)
        try check(curl_shim_setopt_header_function(handle, curlHeaderCallback), url: url)
        try configure()

        let code = withExtendedLifetime(sink) { () -> CURLcode in
            let context = Unmanaged.passUnretained(sink).toOpaque()
            _ = curl_shim_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
            _ = curl_shim_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
            errorBuffer[0] = 0
            return curl_shim_easy_perform(handle)
        }
        let status = httpStatus()
        if let status, status >= 400, code == CURLE_OK || code == CURLE_WRITE_ERROR || code == CURLE_FILESIZE_EXCEEDED {
            // An error page is the server's answer, not a body over the limit.
            return Response(status: status, headers: sink.headers, body: Array(sink.bytes.prefix(options.limit)))
        }
        if sink.exceeded || code == CURLE_FILESIZE_EXCEEDED {
            throw AgentError(.network, "The download from \(shown) is larger than the limit of \(options.limit) bytes",
                             failure: .bodyOverLimit)
        }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            throw AgentError(.network, "The download from \(shown) failed", cause: CurlTransfer.cause(code, detail: detail))
        }
        return Response(status: status, headers: sink.headers, body: sink.bytes)
    }

    /// Redirects never lead to `file:`, and never from https or ftps to a plain transport.
    static func redirectProtocols(from url: String, allowed: String) -> String {
        let encrypted = ["https", "ftps"].contains(URLText.scheme(of: url) ?? "")
        let schemes = allowed.split(separator: ",").filter { scheme in
            scheme != "file" && !(encrypted && (scheme == "http" || scheme == "ftp"))
        }
        return schemes.isEmpty ? "https" : schemes.joined(separator: ",")
    }

    /// Adds the PEM certificates of `path` to the trust store libcurl builds for this handle,
    /// beside the CA file it would use (`caFile`, else libcurl's built-in default: the system
    /// store). libcurl reads a `CURLOPT_CAINFO_BLOB` *instead of* its CA file, so the blob
    /// carries both: the CA file's certificates, then `path`'s. Read here rather than by
    /// libcurl, so a missing `path` is reported as such rather than as a failed handshake.
    private func addTrustedCertificates(_ path: String, caFile: String?, url: String) throws(AgentError) {
        try trust(bundle: defaultStore(caFile: caFile) + CurlTransfer.readExtraCAFile(path, url: url), url: url)
    }

    /// The PEM certificates of an extra CA file (`Options.extraCAFile`), which must not be
    /// missing or empty.
    public static func readExtraCAFile(_ path: String, url: String) throws(AgentError) -> [UInt8] {
        guard let pem = try DurableFile.read(path, limit: 1 << 20, followingSymlinks: true), !pem.isEmpty else {
            throw AgentError(.network, "The CA certificate file for \(Credentials.redacted(url)) is missing or empty", path: path,
                             failure: .extraCAFileMissing)
        }
        return pem
    }

    /// The certificates of `caFile`, else of libcurl's built-in CA file (the system store),
    /// followed by a line break; empty when there are none.
    private func defaultStore(caFile: String?) -> [UInt8] {
        guard let store = caFile ?? defaultCAFile(),
              let bytes = try? DurableFile.read(store, limit: 16 << 20, followingSymlinks: true) else { return [] }
        return bytes + [UInt8(ascii: "\n")]
    }

    /// Trusts exactly the PEM certificates of `bundle` (`CURLOPT_CAINFO_BLOB`, copied by libcurl).
    private func trust(bundle: [UInt8], url: String) throws(AgentError) {
        try bundle.withUnsafeBufferPointer { buffer throws(AgentError) in
            var blob = curl_blob(data: UnsafeMutableRawPointer(mutating: buffer.baseAddress), len: buffer.count,
                                 flags: UInt32(CURL_BLOB_COPY))
            try withUnsafeMutablePointer(to: &blob) { pointer throws(AgentError) in
                try set(CURLOPT_CAINFO_BLOB, pointer: UnsafeMutableRawPointer(pointer), url: url)
            }
        }
    }

    /// libcurl's built-in CA file (`CURLINFO_CAINFO`, libcurl 7.84+): the system store.
    private func defaultCAFile() -> String? {
        var path: UnsafeMutablePointer<CChar>?
        guard curl_shim_getinfo_string(handle, CURLINFO_CAINFO, &path) == CURLE_OK, let path else { return nil }
        return String(cString: path)
    }

    /// The final HTTP status, when the transfer ended on http or https (nil for ftp and file).
    private func httpStatus() -> Int? {
        var effective: UnsafeMutablePointer<CChar>?
        guard curl_shim_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK,
              let effective else { return nil }
        let scheme = String(cString: effective).prefix { $0 != ":" }.lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var status = 0
        guard curl_shim_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK, status > 0 else { return nil }
        return status
    }

    private func set(_ option: CURLoption, _ value: Int, url: String) throws(AgentError) {
        try check(curl_shim_setopt_long(handle, option, value), url: url)
    }

    private func set(_ option: CURLoption, string value: String, url: String) throws(AgentError) {
        try check(curl_shim_setopt_string(handle, option, value), url: url)
    }

    private func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?, url: String) throws(AgentError) {
        try check(curl_shim_setopt_pointer(handle, option, value), url: url)
    }

    private func check(_ code: CURLcode, url: String) throws(AgentError) {
        guard code == CURLE_OK else {
            throw AgentError(.network, "libcurl refused a transfer setting for \(Credentials.redacted(url))",
                             cause: CurlTransfer.cause(code, detail: ""))
        }
    }

    /// `.curl(code, text)`: libcurl's detailed message when it left one, its generic one otherwise.
    static func cause(_ code: CURLcode, detail: String) -> AgentError.Cause {
        let generic = String(cString: curl_shim_easy_strerror(code))
        let text = detail.trimmingASCIIWhitespace()
        return .curl(Int(code.rawValue), text.isEmpty ? generic : text)
    }
}

extension AgentError.Failure {
    /// libcurl (`libcurl.so.4`) could not be loaded.
    public static let libcurlMissing = Self(rawValue: "curl.libcurl-missing")
    /// A body grew, or was announced, past the transfer's limit (`Options.limit`).
    public static let bodyOverLimit = Self(rawValue: "curl.body-over-limit")
    /// The extra CA file (`Options.extraCAFile`) is missing or empty.
    public static let extraCAFileMissing = Self(rawValue: "curl.extra-ca-file-missing")
}

extension CurlTransfer {
    /// libcurl cannot be loaded: what the loader said.
    static func libcurlMissingError() -> AgentError {
        AgentError(.network, "libcurl (libcurl.so.4) is not installed", cause: .text(DynamicLoader.lastError()),
                   failure: .libcurlMissing)
    }
}
