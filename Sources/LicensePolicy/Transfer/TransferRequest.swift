/// One network transfer as the privileged side asks for it and the unprivileged network
/// helper carries it out: everything the helper needs is in here, so that it opens no file
/// the root process could read and it could not (the UMS's CA file may be readable by root
/// only).
public struct TransferRequest: Sendable, Equatable {
    public enum Method: UInt8, Sendable {
        case get = 1
        case post = 2
    }

    public var method: Method
    public var url: String
    /// Request header lines (`If-None-Match: "…"`, `Content-Type: …`).
    public var headers: [String]
    /// The body of a POST.
    public var body: [UInt8]
    /// The only proxy used; nil: none (never the environment's).
    public var proxy: String?
    /// PEM certificates trusted instead of the system store (`--cacert`).
    public var caCertificates: [UInt8]?
    /// PEM certificates trusted as well as the store, or as well as `caCertificates` (the UMS's `ums_ca`).
    public var extraCACertificates: [UInt8]?
    /// The most body bytes kept; a longer body fails the transfer.
    public var limit: Int
    public var timeoutSeconds: Int
    /// Comma-separated schemes the transfer may use.
    public var allowedProtocols: String

    public init(method: Method, url: String, headers: [String] = [], body: [UInt8] = [], proxy: String? = nil,
                caCertificates: [UInt8]? = nil, extraCACertificates: [UInt8]? = nil,
                limit: Int = LicenseLimits.maximumFileSize, timeoutSeconds: Int = 30,
                allowedProtocols: String = "https,http,ftp,ftps,file") {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.proxy = proxy
        self.caCertificates = caCertificates
        self.extraCACertificates = extraCACertificates
        self.limit = limit
        self.timeoutSeconds = timeoutSeconds
        self.allowedProtocols = allowedProtocols
    }
}

/// What a server answered: the status (nil for ftp and file), the headers of the final
/// response (names in lower case), and the body.
public struct TransferResponse: Sendable, Equatable {
    /// The response headers the agent reads — the download's validators — and so the only
    /// ones the network helper passes back.
    public static let validatorNames: Set<String> = ["etag", "last-modified"]

    public let status: Int?
    public let headers: [String: String]
    public let body: [UInt8]

    public init(status: Int?, headers: [String: String], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first line of the body as text, control characters escaped, for messages.
    public var firstBodyLine: String {
        let line = String(decoding: body.prefix(512), as: UTF8.self).split(whereSeparator: \.isNewline).first ?? ""
        return String(line.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }.prefix(200))
    }
}
