import LicensePlatform
import LicensePolicy
import Testing

/// `URLParts` (the root process's reading of a URL) against libcurl's own parser (`CurlURL`,
/// the network helper's): wherever `URLParts` reads a URL, its host and file name are libcurl's.
@Suite struct URLPartsDifferentialTests {
    static let samples = [
        "https://ums.example.com:8443/licenses/EMP-R9HXH.lic", "https://ums:8443/licenses/EMP%2DR9HXH.lic?x=1#y",
        "https://user:pw@ums.example.com:8443/l.lic", "ftp://host/dir/", "http://127.0.0.1:8080/files/a.lic",
        "https://host", "https://host/", "https://host/%00.lic", "https://host/a%2Fb.lic", "file:///tmp/x/EMP.lic",
        "ftps://portal.example.org/pub/licenses/PAS%20year.lic", "https://host/%C3%A9t%C3%A9.lic", "https://host/%FF.lic",
        "https://host/a/../b.lic", "https://host/./b.lic", "https://[::1]:8443/a.lic", "https://0x7f.1/a.lic",
        "https://127.1/a.lic", "https://010.0.0.1/a.lic", "https://UMS.Example.com/a.lic", "https://host:0/a.lic",
        "https://host:99999/a.lic", "https://host:/a.lic", "https://a@b@host/a.lic", "https://host/a%zz.lic",
        "https://host/a%2", "file://localhost/tmp/a.lic", "https://host./a.lic", "https://ho_st/a.lic",
        "HTTPS://host/a", "https://host?query", "https://host#fragment/x.lic", "https://host/x.lic?a/b.lic",
        "custom+scheme://host/a.lic", "https://:pw@host/a.lic", "https://host//a.lic", "https://1.2.3.4/a.lic",
        "https://256.1.1.1/a.lic", "https://1.2.3/a.lic", "https://a.1b/a.lic", "https://xn--bcher-kva.example/a.lic",
        "file:///m://pt/a.lic", "file:///c|/a.lic", "filCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCe://ilmic",
        "abcdefghijklmnopqrstuvwxyz0123456://host/a.lic", "tp://hos////3%C3%A9//hosst/%Cc%A9.li",
    ]

    @Test(arguments: samples)
    func agreesWithLibcurl(_ url: String) throws {
        try Self.check(url)
    }

    /// Every prefix and every one-byte change of the samples, over the bytes URLs are made of.
    @Test func agreesWithLibcurlOnMutations() throws {
        let alphabet = Array("aZ09-._~:/?#[]@!$&'()*+,;=% \\\u{7F}".utf8)
        for sample in Self.samples {
            let bytes = Array(sample.utf8)
            for end in 0...bytes.count { try Self.check(String(decoding: bytes[..<end], as: UTF8.self)) }
            for position in bytes.indices {
                for replacement in alphabet {
                    var mutated = bytes
                    mutated[position] = replacement
                    try Self.check(String(decoding: mutated, as: UTF8.self))
                }
            }
        }
    }

    /// The URLs the agent meets are read, not declined.
    @Test func theUsualURLsAreRead() {
        for url in ["https://ums.example.com:8443/licenses/EMP-R9HXH.lic", "https://user:pw@ums.example.com/l.lic",
                    "ftp://host/dir/a.lic", "http://127.0.0.1:8080/files/a.lic", "file:///tmp/EMP.lic"] {
            #expect(URLParts(url) != nil, "\(url)")
        }
        #expect(URLParts("https://ums:8443/licenses/EMP%2DR9HXH.lic?x=1#y")?.fileName == "EMP-R9HXH.lic")
        #expect(URLParts("https://user:pw@ums.example.com:8443/l.lic")?.host == "ums.example.com")
    }

    static func check(_ url: String) throws {
        guard let parts = URLParts(url) else { return }
        let curl = try #require(try? CurlURL(url), "URLParts reads \(url), libcurl refuses it")
        #expect(parts.host == curl.host, "host of \(url)")
        #expect(parts.fileName == curl.fileName, "file name of \(url)")
    }
}
