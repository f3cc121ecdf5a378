/// How a `TransferRequest` travels to the network helper (on its stdin) and its answer back
/// (on its stdout): a magic word, then fields of one tag byte, a 32-bit big-endian length and
/// the value. Binary rather than JSON because bodies and certificates are bytes.
///
/// Decoding is strict: a known magic, known tags, each once unless it may repeat, lengths
/// inside the input, UTF-8 where text is expected, every required field present, and an end
/// field last, so that a message cut short is never read as a shorter one. Anything else is `nil`: the root process treats an answer it cannot read exactly as garbage.
public enum TransferWire {
    static let requestMagic: [UInt8] = Array("LAT1".utf8)
    static let answerMagic: [UInt8] = Array("LAA1".utf8)

    enum Tag: UInt8 {
        case method = 1, url, header, body, proxy, caCertificates, extraCACertificates, limit, timeout, protocols
        case status = 20, validator, responseBody
        case code = 30, summary, path, remedy, failure, causeKind, causeNumber, causeText
        case end = 0xFF
    }

    enum CauseKind: UInt8 {
        case errno = 1, openSSL, curl, httpStatus, text
    }

    // MARK: Requests

    public static func encode(_ request: TransferRequest) -> [UInt8] {
        var out = FieldWriter(magic: requestMagic)
        out.add(.method, [request.method.rawValue])
        out.add(.url, request.url)
        request.headers.forEach { out.add(.header, $0) }
        out.add(.body, request.body)
        if let proxy = request.proxy { out.add(.proxy, proxy) }
        if let pem = request.caCertificates { out.add(.caCertificates, pem) }
        if let pem = request.extraCACertificates { out.add(.extraCACertificates, pem) }
        out.add(.limit, request.limit)
        out.add(.timeout, request.timeoutSeconds)
        out.add(.protocols, request.allowedProtocols)
        return out.finished
    }

    public static func decodeRequest(_ bytes: [UInt8]) -> TransferRequest? {
        guard let fields = FieldReader.fields(bytes, magic: requestMagic, repeatable: [.header]),
              let method = fields.single(.method).flatMap({ $0.count == 1 ? TransferRequest.Method(rawValue: $0[0]) : nil }),
              let url = fields.text(.url), let body = fields.single(.body),
              let limit = fields.number(.limit), let timeout = fields.number(.timeout),
              let protocols = fields.text(.protocols),
              let headers = fields.texts(.header) else { return nil }
        let proxy = fields.text(.proxy)
        guard proxy != nil || fields.single(.proxy) == nil else { return nil }
        return TransferRequest(method: method, url: url, headers: headers, body: body, proxy: proxy,
                               caCertificates: fields.single(.caCertificates),
                               extraCACertificates: fields.single(.extraCACertificates),
                               limit: limit, timeoutSeconds: timeout, allowedProtocols: protocols)
    }

    // MARK: Answers

    public static func encode(_ answer: Result<TransferResponse, AgentError>) -> [UInt8] {
        var out = FieldWriter(magic: answerMagic)
        switch answer {
        case .success(let response):
            if let status = response.status { out.add(.status, status) }
            for (name, value) in response.headers.sorted(by: { $0.key < $1.key })
            where TransferResponse.validatorNames.contains(name) {
                out.add(.validator, Array(name.utf8) + [0] + Array(value.utf8))
            }
            out.add(.responseBody, response.body)
        case .failure(let error):
            out.add(.code, error.code.rawValue)
            out.add(.summary, error.summary)
            if let path = error.path { out.add(.path, path) }
            if let remedy = error.remedy { out.add(.remedy, remedy) }
            if let failure = error.failure { out.add(.failure, failure.rawValue) }
            if let cause = error.cause { add(cause, to: &out) }
        }
        return out.finished
    }

    /// The helper's answer; nil when it is not exactly one well-formed answer whose body fits
    /// `limit`.
    public static func decodeAnswer(_ bytes: [UInt8], limit: Int) -> Result<TransferResponse, AgentError>? {
        guard let fields = FieldReader.fields(bytes, magic: answerMagic, repeatable: [.validator, .causeText]) else {
            return nil
        }
        if let body = fields.single(.responseBody) {
            guard body.count <= limit, fields.single(.code) == nil, let validators = fields.validators() else { return nil }
            let status = fields.number(.status)
            guard fields.single(.status) == nil || (status.map { (100...999).contains($0) } ?? false) else { return nil }
            return .success(TransferResponse(status: status, headers: validators, body: body))
        }
        guard let code = fields.text(.code).flatMap(AgentError.Code.init(rawValue:)), let summary = fields.text(.summary),
              fields.single(.status) == nil, fields.single(.validator) == nil else { return nil }
        var cause: AgentError.Cause?
        if fields.single(.causeKind) != nil {
            guard let decoded = decodeCause(fields) else { return nil }
            cause = decoded
        }
        return .failure(AgentError(code, summary, path: fields.text(.path), cause: cause, remedy: fields.text(.remedy),
                                   failure: fields.text(.failure).map(AgentError.Failure.init(rawValue:))))
    }

    private static func add(_ cause: AgentError.Cause, to out: inout FieldWriter) {
        switch cause {
        case .errno(let number, let text):
            out.add(.causeKind, [CauseKind.errno.rawValue]); out.add(.causeNumber, Int(number)); out.add(.causeText, text)
        case .openSSL(let queue):
            out.add(.causeKind, [CauseKind.openSSL.rawValue]); queue.forEach { out.add(.causeText, $0) }
        case .curl(let code, let text):
            out.add(.causeKind, [CauseKind.curl.rawValue]); out.add(.causeNumber, code); out.add(.causeText, text)
        case .httpStatus(let status):
            out.add(.causeKind, [CauseKind.httpStatus.rawValue]); out.add(.causeNumber, status)
        case .text(let text):
            out.add(.causeKind, [CauseKind.text.rawValue]); out.add(.causeText, text)
        }
    }

    private static func decodeCause(_ fields: FieldReader) -> AgentError.Cause? {
        guard let kindByte = fields.single(.causeKind), kindByte.count == 1, let kind = CauseKind(rawValue: kindByte[0]),
              let texts = fields.texts(.causeText) else { return nil }
        let number = fields.number(.causeNumber)
        switch (kind, number, texts.count) {
        case (.errno, let number?, 1): return Int32(exactly: number).map { .errno($0, texts[0]) }
        case (.openSSL, nil, _): return .openSSL(texts)
        case (.curl, let code?, 1): return .curl(code, texts[0])
        case (.httpStatus, let status?, 0): return .httpStatus(status)
        case (.text, nil, 1): return .text(texts[0])
        default: return nil
        }
    }
}
