@testable import LicensePlatform
import Testing

/// `ByteSearch` (memmem) against the obvious search, on random bytes over a small alphabet
/// so that partial matches are common.
@Suite struct ByteSearchTests {
    static func naive(_ needle: [UInt8], _ haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }

    @Test func agreesWithTheObviousSearch() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let haystack = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...2, using: &generator) }
            let needle = (0..<Int.random(in: 1...4, using: &generator)).map { _ in UInt8.random(in: 0...2, using: &generator) }
            #expect(ByteSearch.firstIndex(of: needle, in: haystack) == Self.naive(needle, haystack), "\(needle) in \(haystack)")
        }
    }

    @Test func findsTheBeginLineAfterText() {
        let text = Array("Subject: license\n\n-----BEGIN CMS-----\n".utf8)
        #expect(ByteSearch.firstIndex(of: Array("-----BEGIN".utf8), in: text) == 18)
        #expect(ByteSearch.firstIndex(of: Array("-----END".utf8), in: text) == nil)
        #expect(ByteSearch.firstIndex(of: [], in: text) == 0)
    }
}
