import FoundationEssentials

/// The signed content of a `.lic` file: format 1 (LICENSE-FORMAT.md "Document").
///
/// Parsing is strict about the fields the rules depend on and lenient about everything
/// else: unknown fields are ignored so that a newer issuer can add some.
public struct LicenseDocument: Sendable, Hashable {
    public enum Model: String, Sendable, Codable, CaseIterable {
        case subscription, perpetual, evaluation
    }

    public let licenseId: String
    public let issued: Timestamp
    /// The product pack type code (`PAS`, `WE`, `EMP`, …); unknown codes are kept as given.
    public let product: String
    public let model: Model
    public let packId: String
    public let subscriptionKey: String?
    public let starts: CalendarDay
    public let expires: CalendarDay
    /// Canonical unit IDs; entries that are neither form are dropped (they can never match).
    public let units: Set<UnitID>

    public init(licenseId: String, issued: Timestamp, product: String, model: Model, packId: String,
                subscriptionKey: String? = nil, starts: CalendarDay, expires: CalendarDay, units: Set<UnitID>) {
        self.licenseId = licenseId
        self.issued = issued
        self.product = product
        self.model = model
        self.packId = packId
        self.subscriptionKey = subscriptionKey
        self.starts = starts
        self.expires = expires
        self.units = units
    }

    /// Why a document was refused: the verdict (`malformed` or `unsupported-format`) and a reason.
    public struct Rejection: Error, Sendable, Equatable {
        public let verdict: Verdict
        public let detail: String

        public init(verdict: Verdict, detail: String) {
            self.verdict = verdict
            self.detail = detail
        }
    }

    /// Parses the encapsulated JSON. Throws `Rejection` with the first problem found.
    public static func parse(_ content: [UInt8]) throws(Rejection) -> LicenseDocument {
        func malformed(_ detail: String) -> Rejection { Rejection(verdict: .malformed, detail: detail) }
        guard String(validating: content, as: UTF8.self) != nil else {
            throw malformed("the document is not UTF-8 text")
        }
        let fields: [String: JSONValue]
        if let object = PlainJSONReader.object(content) {
            // What an issuer writes, read without the decoder, which costs more; the same value.
            fields = object
        } else if let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(content)) {
            // Any other object, decoded as one without first failing as a string, number, array
            // and bool (each failure builds a DecodingError, which is costly).
            fields = object
        } else {
            fields = try Self.fieldsOrRejection(Data(content))
        }

        func string(_ key: String) throws(Rejection) -> String {
            switch fields[key] {
            case .string(let value)?: return value
            case nil, .null?: throw malformed("the document has no `\(key)`")
            default: throw malformed("`\(key)` is not a string")
            }
        }
        func day(_ key: String) throws(Rejection) -> CalendarDay {
            let text = try string(key)
            guard let day = CalendarDay(parsing: text) else {
                throw malformed("`\(key)` is not a date YYYY-MM-DD: \(text)")
            }
            return day
        }

        switch fields["format"] {
        case .number(let value)? where value == 1: break
        case .number(let value)?:
            throw Rejection(verdict: .unsupportedFormat,
                            detail: "format \(value.formatted) is not supported (this agent reads format 1)")
        case nil, .null?: throw malformed("the document has no `format`")
        default: throw malformed("`format` is not a number")
        }

        let licenseId = try string("licenseId")
        guard (1...128).contains(licenseId.count) else {
            throw malformed("`licenseId` must be 1 to 128 characters")
        }
        let issuedText = try string("issued")
        guard let issued = Timestamp(rfc3339: issuedText) else {
            throw malformed("`issued` is not an RFC 3339 UTC time: \(issuedText)")
        }
        let product = try string("product")
        guard !product.isEmpty else { throw malformed("`product` is empty") }
        let modelText = try string("model")
        guard let model = Model(rawValue: modelText) else {
            throw malformed("`model` must be subscription, perpetual or evaluation, not \(modelText)")
        }
        let packId = try string("packId")
        let subscriptionKey: String?
        switch fields["subscriptionKey"] {
        case nil, .null?: subscriptionKey = nil
        case .string(let value)?: subscriptionKey = value
        default: throw malformed("`subscriptionKey` is not a string")
        }
        let starts = try day("starts")
        let expires = try day("expires")
        guard starts <= expires else { throw malformed("`starts` \(starts) is after `expires` \(expires)") }
        guard case .array(let unitValues)? = fields["units"] else {
            throw malformed(fields["units"] == nil ? "the document has no `units`" : "`units` is not an array")
        }
        guard !unitValues.isEmpty else { throw malformed("`units` is empty") }
        var units = Set<UnitID>()
        for value in unitValues {
            guard case .string(let text) = value else { throw malformed("`units` holds something that is not a string") }
            if let unit = UnitID(text) { units.insert(unit) }
        }
        return LicenseDocument(licenseId: licenseId, issued: issued, product: product, model: model,
                               packId: packId, subscriptionKey: subscriptionKey,
                               starts: starts, expires: expires, units: units)
    }
    /// The top-level object's fields, or why there are none: not JSON, or JSON but not an object.
    private static func fieldsOrRejection(_ data: Data) throws(Rejection) -> [String: JSONValue] {
        do {
            guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: data) else {
                throw Rejection(verdict: .malformed, detail: "the document is JSON but not an object")
            }
            return object
        } catch let rejection as Rejection {
            throw rejection
        } catch {
            throw Rejection(verdict: .malformed, detail: "the document is not JSON")
        }
    }
}

/// Any JSON value; lets the document parser tell a missing field from a mistyped one.
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    /// Tries the shapes in the order a license document holds them most (strings, then
    /// numbers, then arrays): every failed attempt builds a `DecodingError`, which is costly.
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }
}

extension Double {
    /// Integers without a fraction, other numbers as Swift prints them.
    var formatted: String {
        self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}
