import LicensePolicy
import Testing

/// The network helper's request and answer on the wire: what is written is read back
/// exactly, and anything that is not exactly one well-formed message is refused.
@Suite struct TransferWireTests {
    static let request = TransferRequest(
        method: .post, url: "https://user:pw@ums.example.com:8443/v1/evaluation", headers: ["Content-Type: application/json", "Expect:"],
        body: Array("{\"unitId\":\"00E0C51C5087\"}".utf8), proxy: "http://proxy:3128", caCertificates: Array("PEM A".utf8),
        extraCACertificates: [0, 1, 2, 255], limit: 65_536, timeoutSeconds: 30, allowedProtocols: "https")

    static let answers: [Result<TransferResponse, AgentError>] = [
        .success(TransferResponse(status: 200, headers: ["etag": "\"v1\"", "last-modified": "Sat, 05 Dec 2026 14:04:09 GMT"],
                                  body: Array(repeating: 0x41, count: 1000))),
        .success(TransferResponse(status: nil, headers: [:], body: [])),
        .failure(AgentError(.network, "The download from https://h/a.lic failed", cause: .curl(60, "SSL certificate problem"))),
        .failure(AgentError(.network, "x", path: "/p", cause: .errno(2, "No such file"), remedy: "r", failure: .init(rawValue: "curl.body-over-limit"))),
        .failure(AgentError(.crypto, "y", cause: .openSSL(["a", "b"]))),
        .failure(AgentError(.crypto, "y", cause: .openSSL([]))),
        .failure(AgentError(.network, "z", cause: .httpStatus(503))),
        .failure(AgentError(.io, "w", cause: .text("words"))),
    ]

    @Test func aRequestIsReadBackExactly() throws {
        #expect(TransferWire.decodeRequest(TransferWire.encode(Self.request)) == Self.request)
        var plain = TransferRequest(method: .get, url: "file:///tmp/a.lic")
        plain.proxy = nil
        #expect(TransferWire.decodeRequest(TransferWire.encode(plain)) == plain)
    }

    @Test func everyAnswerIsReadBackExactly() throws {
        for answer in Self.answers {
            let decoded = try #require(TransferWire.decodeAnswer(TransferWire.encode(answer), limit: 65_536))
            switch (decoded, answer) {
            case let (.success(a), .success(b)): #expect(a == b)
            case let (.failure(a), .failure(b)):
                #expect(a == b && a.summary == b.summary && a.cause == b.cause && a.remedy == b.remedy && a.failure == b.failure)
            default: Issue.record("\(decoded) is not \(answer)")
            }
        }
    }

    /// Only the validators cross: other headers the server sent are not the root process's business.
    @Test func onlyValidatorsCross() throws {
        let answer = Result<TransferResponse, AgentError>.success(
            TransferResponse(status: 200, headers: ["etag": "e", "set-cookie": "s", "location": "l"], body: []))
        guard case .success(let decoded)? = TransferWire.decodeAnswer(TransferWire.encode(answer), limit: 10) else {
            Issue.record("not read back")
            return
        }
        #expect(decoded.headers == ["etag": "e"])
    }

    /// Every truncation of every message is refused; a single-byte change is refused or read
    /// as a message that is itself read back exactly.
    @Test func damagedMessagesAreRefused() throws {
        let requestBytes = TransferWire.encode(Self.request)
        for end in 0..<requestBytes.count {
            let prefix = Array(requestBytes[..<end])
            #expect(TransferWire.decodeRequest(prefix) == nil, "cut at \(end)")
        }
        for answer in Self.answers {
            let bytes = TransferWire.encode(answer)
            for end in 0..<bytes.count {
                let prefix = Array(bytes[..<end])
                #expect(TransferWire.decodeAnswer(prefix, limit: 65_536) == nil, "cut at \(end)")
            }
            for position in bytes.indices.prefix(64) {
                for value: UInt8 in [0, 1, 0x7F, 0xFF] {
                    var changed = bytes
                    changed[position] = value
                    if let read = TransferWire.decodeAnswer(changed, limit: 65_536) {
                        let again = TransferWire.encode(read)
                        #expect(TransferWire.decodeAnswer(again, limit: 65_536).map(TransferWire.encode) == again)
                    }
                }
            }
        }
    }

    @Test func aBodyOverTheLimitIsRefused() {
        let answer = Result<TransferResponse, AgentError>.success(TransferResponse(status: 200, headers: [:], body: [1, 2, 3]))
        #expect(TransferWire.decodeAnswer(TransferWire.encode(answer), limit: 2) == nil)
        #expect(TransferWire.decodeAnswer(TransferWire.encode(answer), limit: 3) != nil)
    }

    @Test func repeatedUnknownAndMalformedFieldsAreRefused() {
        let magic = Array("LAA1".utf8)
        func field(_ tag: UInt8, _ value: [UInt8]) -> [UInt8] { [tag, 0, 0, 0, UInt8(value.count)] + value }
        let end = field(0xFF, [])
        let body = field(22, [])
        #expect(TransferWire.decodeAnswer(magic + body + end, limit: 1) != nil)
        #expect(TransferWire.decodeAnswer(magic + body + body + end, limit: 1) == nil, "a field twice")
        #expect(TransferWire.decodeAnswer(magic + body + field(99, []) + end, limit: 1) == nil, "an unknown tag")
        #expect(TransferWire.decodeAnswer(magic + body + field(20, [0, 0, 0, 0, 0, 0, 0, 42]) + end, limit: 1) == nil, "status 42")
        #expect(TransferWire.decodeAnswer(magic + body + field(21, Array("etag".utf8)) + end, limit: 1) == nil, "a validator without a value")
        #expect(TransferWire.decodeAnswer(magic + field(30, Array("network".utf8)) + field(31, [0xFF]) + end, limit: 1) == nil, "not UTF-8")
        #expect(TransferWire.decodeAnswer(magic + field(30, Array("no-such-code".utf8)) + field(31, []) + end, limit: 1) == nil)
        #expect(TransferWire.decodeAnswer(Array("LAT1".utf8) + body + end, limit: 1) == nil, "a request's magic")
        #expect(TransferWire.decodeAnswer(magic + body + [22, 0, 0, 1] + end, limit: 1) == nil, "a torn header")
        #expect(TransferWire.decodeAnswer(magic + body, limit: 1) == nil, "no end field")
        #expect(TransferWire.decodeAnswer(magic + body + end + body + end, limit: 1) == nil, "an end field inside")
    }
}
