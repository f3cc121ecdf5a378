import FoundationEssentials
import LicensePolicy
import Testing

@Suite struct LicenseDocumentTests {
    static let good: [String: String] = [
        "format": "1", "licenseId": "\"L-1\"", "issued": "\"2026-11-01T08:00:00Z\"", "product": "\"EMP\"",
        "model": "\"subscription\"", "packId": "\"EMP-R9HXH\"", "starts": "\"2026-11-01\"",
        "expires": "\"2027-10-31\"", "units": "[\"00:E0:C5:1C:50:87\", \"not-a-unit\", \"#85641000d308482019\"]",
    ]

    static func json(_ fields: [String: String]) -> [UInt8] {
        Array(("{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ",") + "}").utf8)
    }

    static func rejection(_ fields: [String: String]) -> LicenseDocument.Rejection? {
        do { _ = try LicenseDocument.parse(json(fields)); return nil } catch { return error }
    }

    @Test func parsesTheContractExample() throws {
        var fields = Self.good
        fields["futureField"] = "{\"nested\": true}"
        let document = try LicenseDocument.parse(Self.json(fields))
        #expect(document.licenseId == "L-1")
        #expect(document.product == "EMP")
        #expect(document.model == .subscription)
        #expect(document.starts.description == "2026-11-01")
        #expect(document.expires.description == "2027-10-31")
        #expect(document.issued.description == "2026-11-01T08:00:00Z")
        // The entry that is neither form is dropped; the others are canonical.
        #expect(document.units == [UnitID("00E0C51C5087")!, UnitID("#85641000D308482019")!])
    }

    @Test(arguments: ["licenseId", "issued", "product", "model", "packId", "starts", "expires", "units", "format"])
    func missingRequiredFieldIsMalformed(field: String) throws {
        var fields = Self.good
        fields[field] = nil
        let rejection = try #require(Self.rejection(fields))
        #expect(rejection.verdict == .malformed)
        #expect(rejection.detail.contains(field))
    }

    @Test(arguments: [
        ("licenseId", "42"), ("issued", "\"2026-11-01\""), ("issued", "\"2026-11-01T08:00:00+02:00\""),
        ("starts", "\"01.11.2026\""), ("expires", "\"2026-02-30\""), ("units", "\"00E0C51C5087\""),
        ("units", "[]"), ("units", "[42]"), ("model", "\"forever\""), ("format", "\"1\""),
        ("licenseId", "\"\""), ("starts", "\"2028-01-01\""),
    ])
    func mistypedFieldIsMalformed(field: String, value: String) throws {
        var fields = Self.good
        fields[field] = value
        #expect(Self.rejection(fields)?.verdict == .malformed)
    }

    @Test func otherFormatIsUnsupported() throws {
        var fields = Self.good
        fields["format"] = "2"
        let rejection = try #require(Self.rejection(fields))
        #expect(rejection.verdict == .unsupportedFormat)
        #expect(rejection.detail.contains("format 2"))
    }

    @Test(arguments: ["", "not json", "[1,2]", "\"text\"", "{\"format\": 1", "null"])
    func notAnObjectIsMalformed(text: String) {
        #expect(throws: LicenseDocument.Rejection.self) { try LicenseDocument.parse(Array(text.utf8)) }
    }

    @Test func notUTF8IsMalformed() {
        #expect(throws: LicenseDocument.Rejection(verdict: .malformed, detail: "the document is not UTF-8 text")) {
            try LicenseDocument.parse([0x7B, 0xFF, 0xFE, 0x7D])
        }
    }

    @Test func licenseIdLongerThan128IsMalformed() {
        var fields = Self.good
        fields["licenseId"] = "\"" + String(repeating: "x", count: 129) + "\""
        #expect(Self.rejection(fields)?.verdict == .malformed)
        fields["licenseId"] = "\"" + String(repeating: "x", count: 128) + "\""
        #expect(Self.rejection(fields) == nil)
    }
}

@Suite struct UnitIDCanonicalFormTests {
    @Test(arguments: ["00E0C51C5087", "00:E0:C5:1C:50:87", "00-e0-c5-1c-50-87", "00e0c51c5087"])
    func macSpellingsAreOneUnit(spelling: String) {
        #expect(UnitID(spelling)?.value == "00E0C51C5087")
        #expect(UnitID(spelling)?.source == .mac)
    }

    @Test(arguments: ["00:E0-C5:1C:50:87", "00E0C51C508", "00E0C51C50870", "00:E0:C5:1C:50:8G", "", "#", "# x"])
    func otherTextIsNoUnit(text: String) {
        #expect(UnitID(text) == nil)
    }

    @Test func pocketSerialIsUpperCasedAndTrimmed() {
        #expect(UnitID("#85641000d308482019")?.value == "#85641000D308482019")
        #expect(UnitID(pocketSerial: "  85641000d308482019\n")?.value == "#85641000D308482019")
        #expect(UnitID(pocketSerial: "   ") == nil)
        #expect(UnitID("#abc")?.source == .udPocket)
    }
}
