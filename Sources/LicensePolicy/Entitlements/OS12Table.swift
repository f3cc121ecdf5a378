/// IGEL OS 12 (COSMOS PAS): the table "IGEL COSMOS PAS - Entitlements and Effects of
/// Expiration", section "IGEL OS 12", as rows (ENTITLEMENTS.md "IGEL OS 12").
///
/// Every feature hangs on an active PAS; the after-expiry column is what an expired PAS
/// leaves: ✓ `kept`, ✗ `denied`, and the frozen configuration.
extension EntitlementTable {
    public static let os12 = EntitlementTable(
        generation: .os12,
        baseLicense: BaseLicenseRule([
            .init("PAS", whenExpired: .always),
        ]),
        unlicensedFeatures: ["connect-ums", "deploy-license", "onboarding-service"],
        rows: [
            // Functions on the endpoint device.
            Row(["connect-ums"], grantedWhile: .active(["PAS"]), afterExpiry: .kept),
            Row(["use-installed-apps"], grantedWhile: .active(["PAS"]), afterExpiry: .kept),
            Row(["activate-codecs"], grantedWhile: .active(["PAS"]), afterExpiry: .kept),
            Row(["connect-icg"], grantedWhile: .active(["PAS"]), afterExpiry: .denied),
            Row(["install-apps-locally"], grantedWhile: .active(["PAS"]), afterExpiry: .denied),
            Row(["update-os-locally"], grantedWhile: .active(["PAS"]), afterExpiry: .denied),
            // Endpoint management functions.
            Row(["deploy-license"], grantedWhile: .active(["PAS"]), afterExpiry: .kept),
            Row(["shadow"], grantedWhile: .active(["PAS"]), afterExpiry: .kept),
            Row(["power-control"], grantedWhile: .active(["PAS"]), afterExpiry: .kept),
            Row(["imi"], grantedWhile: .active(["PAS"]), afterExpiry: .kept),
            Row(["config-changes"], grantedWhile: .active(["PAS"]), afterExpiry: .frozen),
            Row(["trigger-os-update"], grantedWhile: .active(["PAS"]), afterExpiry: .denied),
            Row(["trigger-app-updates"], grantedWhile: .active(["PAS"]), afterExpiry: .denied),
            Row(["auto-update"], grantedWhile: .active(["PAS"]), afterExpiry: .denied),
            // Onboarding Service.
            Row(["onboarding-service"], grantedWhile: .active(["PAS"]), afterExpiry: .kept),
        ])
}
