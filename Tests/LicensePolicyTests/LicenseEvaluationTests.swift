import LicensePolicy
import Testing

/// The verdict order of LICENSE-FORMAT.md, on documents that arrive already signed:
/// the cryptography is tested in LicensePlatformTests.
@Suite struct LicenseEvaluationTests {
    static let unit = UnitID("00E0C51C5087")!
    static let signer = SignerFacts(subject: "CN=test signer")
    static let today = CalendarDay(parsing: "2026-11-29")!

    static func content(id: String = "L-1", product: String = "EMP", model: String = "subscription",
                        starts: String = "2026-01-01", expires: String = "2027-01-01",
                        units: String = "[\"00E0C51C5087\"]", issued: String = "2026-01-01T00:00:00Z") -> [UInt8] {
        Array("""
            {"format":1,"licenseId":"\(id)","issued":"\(issued)","product":"\(product)","model":"\(model)",
             "packId":"P","starts":"\(starts)","expires":"\(expires)","units":\(units)}
            """.utf8)
    }

    static func judge(_ files: [(FileName, SignatureCheck)], unit: UnitID? = unit) -> [LicenseEvaluation.Report] {
        LicenseEvaluation.judge(files.map { LicenseEvaluation.examine(file: $0.0, signature: $0.1) },
                                unit: unit, today: today)
    }

    /// What the signature layer hands over for a good signature over `content`: the parsed
    /// document, or the document's refusal (the verifier's own last step).
    static func signed(_ content: [UInt8]) -> SignatureCheck {
        do {
            return .verified(try LicenseDocument.parse(content), signer: signer)
        } catch {
            return .refused(error.verdict, detail: error.detail)
        }
    }

    @Test func signatureRefusalsComeFirst() {
        let reports = Self.judge([
            ("a.lic", .refused(.badSignature, detail: "altered")),
            ("b.lic", .refused(.revoked, detail: "on the CRL")),
        ])
        #expect(reports.map(\.verdict) == [.badSignature, .revoked])
        #expect(reports.map(\.detail) == ["altered", "on the CRL"])
    }

    @Test func documentBeforeUnitBeforeDates() {
        let reports = Self.judge([
            ("malformed.lic", Self.signed(Array("{}".utf8))),
            ("other.lic", Self.signed(Self.content(starts: "2019-01-01", expires: "2020-01-01", units: "[\"001122334455\"]"))),
            ("expired.lic", Self.signed(Self.content(id: "E", expires: "2026-11-28"))),
        ])
        #expect(reports.map(\.verdict) == [.malformed, .otherUnit, .expired])
        #expect(reports[1].detail.contains("001122334455"))
    }

    @Test func boundaryDaysAreInclusive() {
        let reports = Self.judge([
            ("today.lic", Self.signed(Self.content(id: "1", expires: "2026-11-29"))),
            ("yesterday.lic", Self.signed(Self.content(id: "2", expires: "2026-11-28"))),
            ("tomorrow.lic", Self.signed(Self.content(id: "3", starts: "2026-11-30"))),
            ("starts-today.lic", Self.signed(Self.content(id: "4", starts: "2026-11-29"))),
        ])
        #expect(reports.map(\.verdict) == [.valid, .expired, .notYetValid, .valid])
    }

    @Test func duplicateIdCountsOnceAfterDates() {
        let reports = Self.judge([
            ("a.lic", Self.signed(Self.content(id: "same"))),
            ("b.lic", Self.signed(Self.content(id: "same"))),
            ("c.lic", Self.signed(Self.content(id: "same", units: "[\"001122334455\"]"))),
        ])
        #expect(reports.map(\.verdict) == [.valid, .duplicate, .otherUnit])
    }

    @Test func alreadyInstalledWhenCountedElsewhere() {
        let examined = [LicenseEvaluation.examine(file: "x", signature: Self.signed(Self.content(id: "K")))]
        let reports = LicenseEvaluation.judge(examined, unit: Self.unit, today: Self.today, alreadyCounted: ["K"])
        #expect(reports.map(\.verdict) == [.alreadyInstalled])
    }

    @Test func noUnitMeansOtherUnit() {
        let reports = Self.judge([("a.lic", Self.signed(Self.content()))], unit: nil)
        #expect(reports.first?.verdict == .otherUnit)
        #expect(reports.first?.detail.contains("no unit ID") == true)
    }

    @Test func perpetualSaysMaintenanceEnded() {
        let reports = Self.judge([("we.lic", Self.signed(Self.content(product: "WE", model: "perpetual", expires: "2026-06-30")))])
        #expect(reports.first?.verdict == .expired)
        #expect(reports.first?.detail == "WE maintenance ended on 2026-06-30")
    }
}

@Suite struct TrustedTimeTests {
    static func stamp(_ text: String) -> Timestamp { Timestamp(rfc3339: text)! }

    @Test func takesTheLatestInput() {
        let build = Self.stamp("2026-11-01T00:00:00Z")
        #expect(TrustedTime(clock: Self.stamp("2026-11-29T10:00:00Z"), mark: nil, buildDate: build, newestIssued: nil).value
                == Self.stamp("2026-11-29T10:00:00Z"))
        #expect(TrustedTime(clock: Self.stamp("2020-01-01T00:00:00Z"), mark: nil, buildDate: build, newestIssued: nil).value == build)
        #expect(TrustedTime(clock: Self.stamp("2026-11-29T10:00:00Z"), mark: nil, buildDate: build,
                            newestIssued: Self.stamp("2026-12-05T00:00:00Z")).value == Self.stamp("2026-12-05T00:00:00Z"))
    }

    @Test func rollbackIsMoreThanADayBehindTheMark() {
        let mark = Self.stamp("2026-11-29T10:00:00Z")
        let build = Self.stamp("2026-01-01T00:00:00Z")
        let slightly = TrustedTime(clock: mark.adding(seconds: -24 * 3600), mark: mark, buildDate: build, newestIssued: nil)
        #expect(!slightly.clockRollbackDetected)
        let back = TrustedTime(clock: mark.adding(seconds: -24 * 3600 - 1), mark: mark, buildDate: build, newestIssued: nil)
        #expect(back.clockRollbackDetected)
        #expect(back.value == mark)
        #expect(back.warning(clock: mark.adding(seconds: -90_000))?.code == .clockRollback)
        #expect(slightly.warning(clock: mark) == nil)
    }
}

@Suite struct OSGenerationTests {
    @Test func fromOSReleaseOrConfig() {
        #expect(OSGeneration.resolve(osRelease: "NAME=IGEL\nVERSION_ID=\"11.08.200\"\n", configured: nil) == .os11)
        #expect(OSGeneration.resolve(osRelease: "VERSION_ID=12.5.1", configured: nil) == .os12)
        #expect(OSGeneration.resolve(osRelease: "VERSION_ID=12.5.1", configured: "11") == .os11)
        #expect(OSGeneration.resolve(osRelease: "VERSION_ID=10.1", configured: nil) == nil)
        #expect(OSGeneration.resolve(osRelease: nil, configured: nil) == nil)
    }
}
