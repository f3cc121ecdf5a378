internal import CCurl
import LicensePolicy

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One libcurl easy handle (`CURL *`) configured for the agent's only two transfers: fetching a
/// license file and posting an activation request (CLI.md "Imports", Network).
///
/// Every transfer verifies TLS peers and host names (system CA store, or `caFile`), follows at
/// most 5 redirects, stops after `timeout` seconds, and never keeps more than `limit` bytes: the
/// write callback aborts the transfer as soon as the body grows past it, and
/// `CURLOPT_MAXFILESIZE` refuses an announced size above it before any byte arrives.
/// Protocols are limited to `allowedProtocols`; a redirect may never lead to `file:`.
/// Only the proxy the caller names is used; `http_proxy`-style environment variables are not
/// (the boot service has no environment, and the configured proxy is the contract).
/// Needs libcurl 7.85 or later (`CURLOPT_PROTOCOLS_STR`).
public final class CurlTransfer {
    /// What one transfer may do.
    public struct Options: Sendable {
        public var proxy: String?
        public var caFile: String?
        public var limit: Int
        public var timeoutSeconds: Int
        /// Comma-separated schemes for `CURLOPT_PROTOCOLS_STR`.
        public var allowedProtocols: String

        public init(proxy: String? = nil, caFile: String? = nil, limit: Int = LicenseLimits.maximumFileSize,
                    timeoutSeconds: Int = 30, allowedProtocols: String = "https,ftp,ftps,file") {
            self.proxy = proxy
            self.caFile = caFile
            self.limit = limit
            self.timeoutSeconds = timeoutSeconds
            self.allowedProtocols = allowedProtocols
        }
    }

    private let handle: UnsafeMutableRawPointer
    /// libcurl writes its detailed message for the last failure here (`CURLOPT_ERRORBUFFER`).
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headers: UnsafeMutablePointer<curl_slist>?

    /// `curl_global_init`, once per process (Swift runs a static initialiser exactly once).
    private static let globalInitialisation: CURLcode = curl_shim_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Opens libcurl (see CCurl's shim: it is loaded on first use, never at start-up).
    public init() throws(AgentError) {
        guard curl_shim_available() != 0 else {
            throw AgentError(.network, "libcurl (libcurl.so.4) is not installed", cause: .text(CurlTransfer.loaderError()),
                             remedy: "Install the libcurl4 package")
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

    /// GETs `url` (https, ftp, ftps or file) and returns the body.
    public func download(url: String, options: Options) throws(AgentError) -> [UInt8] {
        try perform(url: url, options: options, configure: { () throws(AgentError) in })
    }

    /// POSTs `body` with `contentType` to `url` and returns the response body.
    public func post(url: String, body: [UInt8], contentType: String, options: Options) throws(AgentError) -> [UInt8] {
        try perform(url: url, options: options) { () throws(AgentError) in
            for line in ["Content-Type: \(contentType)", "Expect:"] {
                guard let extended = curl_shim_slist_append(headers, line) else {
                    throw AgentError(.network, "libcurl could not build the request headers", path: url)
                }
                headers = extended
            }
            try set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(headers), url: url)
            try set(CURLOPT_POSTFIELDSIZE, Int(body.count), url: url)
            // COPYPOSTFIELDS: libcurl keeps its own copy, so `body` need not outlive this call.
            try body.withUnsafeBufferPointer { buffer throws(AgentError) in
                let start = UnsafeMutableRawPointer(mutating: buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!)
                try set(CURLOPT_COPYPOSTFIELDS, pointer: start, url: url)
            }
        }
    }

    /// Common settings, the transfer itself, and turning its outcome into bytes or an error.
    private func perform(url: String, options: Options, configure: () throws(AgentError) -> Void) throws(AgentError) -> [UInt8] {
        let sink = ResponseSink(limit: options.limit)
        try set(CURLOPT_URL, string: url, url: url)
        try set(CURLOPT_PROTOCOLS_STR, string: options.allowedProtocols, url: url)
        let redirectProtocols = options.allowedProtocols.split(separator: ",").filter { $0 != "file" }.joined(separator: ",")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, string: redirectProtocols.isEmpty ? "https" : redirectProtocols, url: url)
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
        // An empty proxy switches off the environment's proxy variables as well.
        try set(CURLOPT_PROXY, string: options.proxy ?? "", url: url)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer), url: url)
        try check(curl_shim_setopt_write_function(handle, curlWriteCallback), url: url)
        try configure()

        let code = withExtendedLifetime(sink) { () -> CURLcode in
            _ = curl_shim_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
            errorBuffer[0] = 0
            return curl_shim_easy_perform(handle)
        }
        if let status = httpStatus(), status >= 400 {
            throw AgentError(.network, "The download from \(url) failed", cause: .httpStatus(status))
        }
        if sink.exceeded || code == CURLE_FILESIZE_EXCEEDED {
            throw AgentError(.network, "The download from \(url) is larger than the limit of \(options.limit) bytes",
                             remedy: "A license file is never that large; check the URL")
        }
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            throw AgentError(.network, "The download from \(url) failed", cause: CurlTransfer.cause(code, detail: detail))
        }
        return sink.bytes
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
            throw AgentError(.network, "libcurl refused a transfer setting for \(url)", cause: CurlTransfer.cause(code, detail: ""))
        }
    }

    /// `.curl(code, text)`: libcurl's detailed message when it left one, its generic one otherwise.
    static func cause(_ code: CURLcode, detail: String) -> AgentError.Cause {
        let generic = String(cString: curl_shim_easy_strerror(code))
        let text = detail.trimmingASCIIWhitespace()
        return .curl(Int(code.rawValue), text.isEmpty ? generic : text)
    }
}

/// Collects a response body up to a limit; the write callback's context.
final class ResponseSink {
    let limit: Int
    var bytes: [UInt8] = []
    var exceeded = false

    init(limit: Int) { self.limit = limit }
}

/// libcurl's write callback: appends to the `ResponseSink` passed as `CURLOPT_WRITEDATA`.
/// Returning less than it was given makes libcurl abort the transfer (`CURLE_WRITE_ERROR`),
/// which is how a body over the limit is cut off before it is stored.
private func curlWriteCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                               _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    guard sink.bytes.count + length <= sink.limit else {
        sink.exceeded = true
        return 0
    }
    if let data, length > 0 {
        data.withMemoryRebound(to: UInt8.self, capacity: length) { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
    }
    return length
}

extension CurlTransfer {
    /// Why libcurl could not be opened, in the dynamic loader's words.
    static func loaderError() -> String {
        guard let message = dlerror() else { return "the dynamic loader gave no reason" }
        return String(cString: message)
    }
}
