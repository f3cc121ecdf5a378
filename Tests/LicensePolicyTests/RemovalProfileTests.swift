import Foundation
import LicensePolicy
import Testing

/// The removal-profile format (Profiles/README.md) and the selectors (PROFILES.md).
@Suite struct RemovalProfileTests {
    func parse(_ text: String, fileName: String? = nil) throws(RemovalProfile.Rejection) -> RemovalProfile {
        try RemovalProfile.parse(Array(text.utf8), fileName: fileName)
    }

    /// The rejection of `bytes`, or nil when they parsed.
    func rejection(_ bytes: [UInt8], fileName: String? = nil) -> RemovalProfile.Rejection? {
        do { _ = try RemovalProfile.parse(bytes, fileName: fileName) } catch { return error }
        return nil
    }

    func rejection(_ text: String, fileName: String? = nil) -> RemovalProfile.Rejection? {
        rejection(Array(text.utf8), fileName: fileName)
    }

    static let valid = """
        # A comment
        name: RemoveAllPlatformAccessLicenses

        description: Deletes all Platform Access licenses from endpoint
        selector: product:PAS
        """

    func document(product: String, model: LicenseDocument.Model) -> LicenseDocument {
        LicenseDocument(licenseId: "id-\(product)", issued: Timestamp(secondsSinceEpoch: 1_767_254_400),
                        product: product, model: model, packId: "\(product)-X",
                        starts: CalendarDay(parsing: "2026-01-01")!, expires: CalendarDay(parsing: "2030-01-01")!,
                        units: [])
    }

    @Test func parsesAnAdministratorsNewProfile() throws {
        let profile = try parse(Self.valid, fileName: "RemoveAllPlatformAccessLicenses.profile")
        #expect(profile.name == "RemoveAllPlatformAccessLicenses")
        #expect(profile.description == "Deletes all Platform Access licenses from endpoint")
        #expect(profile.selector == .product("PAS"))
        #expect(try parse(profile.text) == profile)
    }

    @Test func acceptsCRLFByteOrderMarkAndBlanksAroundValues() throws {
        let text = "\u{FEFF}selector:\tevaluation  \r\n  name :  RemoveEval\r\ndescription: x # not a comment\r\n"
        let profile = try parse(text)
        #expect(profile.selector == .evaluation)
        #expect(profile.name == "RemoveEval")
        #expect(profile.description == "x # not a comment")
    }

    @Test func unknownKeyIsRefusedWithItsLine() {
        let refused = rejection("name: A\ndescription: d\nselector: all\ncolour: blue\n")
        #expect(refused?.line == 4)
        #expect(refused?.reason.contains("unknown key `colour`") == true)
        #expect(refused?.description.hasPrefix("line 4: ") == true)
    }

    @Test func upperCaseKeyIsUnknown() {
        #expect(rejection("Name: A\ndescription: d\nselector: all\n")?.line == 1)
    }

    @Test func duplicateKeyIsRefusedNamingBothLines() {
        let refused = rejection("name: A\nselector: all\ndescription: d\nselector: evaluation\n")
        #expect(refused?.line == 4)
        #expect(refused?.reason.contains("first on line 2") == true)
    }

    @Test(arguments: ["everything", "product", "product:", "product:emp", "product: EMP", "product:E M P",
                      "product:-EMP", "evaluations", "ALL", "product:\(String(repeating: "A", count: 33))"])
    func unknownOrMalformedSelectorIsRefused(selector: String) {
        let refused = rejection("name: A\ndescription: d\nselector: \(selector)\n")
        #expect(refused?.line == 3, "\(selector): \(String(describing: refused))")
    }

    @Test func nonUTF8IsRefusedWithItsLine() {
        let bytes = Array("name: A\ndescription: ".utf8) + [0xC3, 0x28] + Array("\nselector: all\n".utf8)
        let refused = rejection(bytes)
        #expect(refused?.line == 2)
        #expect(refused?.reason.contains("UTF-8") == true)
    }

    @Test func controlCharacterIsRefused() {
        #expect(rejection("name: A\ndescription: a\u{7}b\nselector: all\n")?.line == 2)
        #expect(rejection("name: A\ndescription: a\u{0}b\nselector: all\n")?.line == 2)
    }

    @Test func lineWithoutColonIsRefused() {
        let refused = rejection("name: A\nselector all\ndescription: d\n")
        #expect(refused?.line == 2)
    }

    @Test func missingKeyAndEmptyValueAreRefused() {
        #expect(rejection("name: A\ndescription: d\n")?.reason.contains("`selector` is missing") == true)
        #expect(rejection("name: A\ndescription:\nselector: all\n")?.line == 2)
        #expect(rejection("")?.reason.contains("missing") == true)
    }

    @Test func nameMustBeASafeFileNameAndMatchTheFile() {
        #expect(rejection("name: ../etc\ndescription: d\nselector: all\n")?.line == 1)
        #expect(rejection("name: 1Remove\ndescription: d\nselector: all\n")?.line == 1)
        let mismatch = rejection(Self.valid, fileName: "Other.profile")
        #expect(mismatch?.line == 2)
        #expect(mismatch?.reason.contains("RemoveAllPlatformAccessLicenses.profile") == true)
    }

    @Test func oversizeAndOverlongDescriptionAreRefused() {
        let long = String(repeating: "d", count: RemovalProfile.maximumDescriptionLength + 1)
        #expect(rejection("name: A\ndescription: \(long)\nselector: all\n")?.line == 2)
        let padding = String(repeating: "# padding\n", count: RemovalProfile.maximumSize / 10 + 1)
        #expect(rejection(padding + "name: A\ndescription: d\nselector: all\n")?.line == nil)
    }

    @Test func selectorsMatchVerifiedDocumentsOnly() {
        let emp = document(product: "EMP", model: .subscription)
        let weEvaluation = document(product: "WE-E", model: .subscription)
        let pasEvaluation = document(product: "PAS", model: .evaluation)
        let we = document(product: "WE", model: .perpetual)

        #expect(RemovalSelector.all.matches(nil))
        #expect(RemovalSelector.all.matches(emp))
        #expect(RemovalSelector.all.removesRequestFiles)

        #expect(!RemovalSelector.evaluation.matches(nil))
        #expect(RemovalSelector.evaluation.matches(weEvaluation))
        #expect(RemovalSelector.evaluation.matches(pasEvaluation))
        #expect(!RemovalSelector.evaluation.matches(we))
        #expect(!RemovalSelector.evaluation.removesRequestFiles)

        #expect(!RemovalSelector.product("EMP").matches(nil))
        #expect(RemovalSelector.product("EMP").matches(emp))
        #expect(!RemovalSelector.product("WE").matches(weEvaluation))
        #expect(RemovalSelector.product("WE").matches(we))
        #expect(!RemovalSelector.product("EMP").removesRequestFiles)
    }

    @Test func selectorRoundTripsThroughItsText() throws {
        for selector in [RemovalSelector.all, .evaluation, .product("90M"), .product("WE-E")] {
            #expect(try RemovalSelector(parsing: selector.description) == selector)
        }
    }

    /// The seven files in `Profiles/` parse, are named after their names, and select what PROFILES.md says.
    @Test func shippedProfilesAreTheSevenOfTheSpecification() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Profiles")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".profile") }
        var selectors: [String: RemovalSelector] = [:]
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(file)))
            let profile = try RemovalProfile.parse(bytes, fileName: file)
            selectors[profile.name] = profile.selector
        }
        #expect(selectors == [
            "RemoveAllLocalLicenses": .all,
            "RemoveAllEvaluationLicenses": .evaluation,
            "RemoveAllEnterpriseManagementPackLicenses": .product("EMP"),
            "RemoveAllWorkspaceEditionLicenses": .product("WE"),
            "RemoveAllAddonEricomPowerTermLicenses": .product("PWT"),
            "RemoveAllAddon90meterLicenses": .product("90M"),
            "RemoveAllAddonTeradiciLicenses": .product("TER"),
        ])
    }
}
