import FoundationEssentials
@testable import LicenseAgent
import LicensePolicy
import Testing

/// The per-license entry of `status --json` is encoded by hand (issue 10: it is the one output
/// value written once per license). Its bytes must be exactly those of the synthesized form it
/// replaced, for every verdict, every model, with and without a document, and for names and
/// details that need escaping — compact and pretty.
@Suite struct StatusDocumentEncodingTests {
    /// The entry as it was before issue 10, synthesized through `@ExplicitNull`: the reference.
    struct SynthesizedLicense: Encodable {
        let file: String
        let verdict: Verdict
        @ExplicitNull var licenseId: String?
        @ExplicitNull var product: String?
        @ExplicitNull var model: LicenseDocument.Model?
        @ExplicitNull var packId: String?
        @ExplicitNull var starts: CalendarDay?
        @ExplicitNull var expires: CalendarDay?
        let detail: String

        /// The same values, encoded the synthesized way.
        static func of(_ entry: StatusDocument.License) -> SynthesizedLicense {
            SynthesizedLicense(file: entry.file, verdict: entry.verdict, licenseId: entry.licenseId,
                               product: entry.product, model: entry.model, packId: entry.packId,
                               starts: entry.starts, expires: entry.expires, detail: entry.detail)
        }
    }

    static let names: [FileName] = [
        "PAS-1.lic", FileName(bytes: Array("PAS-caf".utf8) + [0xE9] + Array(".lic".utf8)), "Lizenz-e\u{301}.lic",
        "a\"b\\c/d\u{7}\n.lic", "😀 emoji.lic",
    ]

    static func documents() throws -> [LicenseDocument?] {
        try [nil] + LicenseDocument.Model.allCases.enumerated().map { index, model in
            LicenseDocument(
                licenseId: index == 0 ? "L-1" : "L \"quoted\" \\ / \u{1}", issued: try #require(Timestamp(rfc3339: "2026-11-01T08:00:00Z")),
                product: ["PAS", "WE-E", "EMP"][index], model: model, packId: "P/\(index)",
                subscriptionKey: nil, starts: try #require(CalendarDay(parsing: "2026-01-0\(index + 1)")),
                expires: try #require(CalendarDay(parsing: "2035-12-31")), units: [])
        }
    }

    @Test func handWrittenEntryHasTheSynthesizedBytes() throws {
        var compared = 0
        for verdict in Verdict.allCases {
            for document in try Self.documents() {
                for (index, file) in Self.names.enumerated() {
                    let report = LicenseEvaluation.Report(
                        file: file, verdict: verdict, document: document,
                        detail: ["", "signature verified", "tab\there \u{0}nul ünïcödé"][index % 3])
                    for pretty in [false, true] {
                        let entry = StatusDocument.License(report)
                        let written = JSONOutput.encode(entry, pretty: pretty)
                        let synthesized = JSONOutput.encode(SynthesizedLicense.of(entry), pretty: pretty)
                        #expect(written == synthesized, "\(String(decoding: written, as: UTF8.self))")
                        compared += 1
                    }
                }
            }
        }
        #expect(compared == Verdict.allCases.count * 4 * Self.names.count * 2)
    }
}
