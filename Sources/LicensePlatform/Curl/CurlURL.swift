internal import CCurl
import LicensePolicy

/// One libcurl URL handle (`CURLU *`): a URL parsed by the same parser the transfer uses, so
/// that what the agent derives from a URL (the file name of a download, the host in the audit
/// log, a UMS endpoint) is what libcurl will request.
///
/// Decoded parts come from `CURLU_URLDECODE`: `%2D` is `-`, never an escaped remnant.
public final class CurlURL {
    private let handle: OpaquePointer

    /// Parses `text` (any scheme libcurl knows or not, as long as it has one).
    public init(_ text: String) throws(AgentError) {
        guard curl_shim_available() != 0 else {
            throw CurlTransfer.libcurlMissingError()
        }
        guard let url = curl_shim_url() else {
            throw AgentError(.network, "libcurl could not create a URL handle")
        }
        handle = url
        let code = curl_shim_url_set(url, CURLUPART_URL, text, UInt32(CURLU_NON_SUPPORT_SCHEME))
        guard code == CURLUE_OK else {
            throw AgentError(.usage, "\(Credentials.redacted(text)) is not a URL libcurl can read",
                             cause: .text(CurlURL.describe(code)))
        }
    }

    deinit { curl_shim_url_cleanup(handle) }

    /// The URL-decoded path (`/licenses/EMP-R9HXH.lic`); nil when it cannot be decoded (e.g. `%00`).
    public var decodedPath: String? { part(CURLUPART_PATH, flags: UInt32(CURLU_URLDECODE)) }

    /// The host name, as written in the URL (nil for `file:` URLs without one).
    public var host: String? { part(CURLUPART_HOST, flags: 0) }

    /// The scheme in lower case (`https`).
    public var scheme: String? { part(CURLUPART_SCHEME, flags: 0)?.lowercased() }

    /// The last component of the decoded path, without query or fragment (`EMP-R9HXH.lic`);
    /// nil when the path ends in `/` or cannot be decoded.
    public var fileName: String? {
        // Split at the byte `/`, not at the Character: a combining mark after a `/` would
        // otherwise make one Character of both, and the "last component" hold a slash.
        guard let path = decodedPath,
              let last = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).last,
              !last.isEmpty else { return nil }
        return String(decoding: last, as: UTF8.self)
    }

    private func part(_ which: CURLUPart, flags: UInt32) -> String? {
        var content: UnsafeMutablePointer<CChar>?
        guard curl_shim_url_get(handle, which, &content, flags) == CURLUE_OK, let content else { return nil }
        defer { curl_shim_free(content) }
        return String(cString: content)
    }

    static func describe(_ code: CURLUcode) -> String {
        "\(String(cString: curl_shim_url_strerror(code))) (curl URL error \(code.rawValue))"
    }
}
