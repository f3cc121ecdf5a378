/// IGEL OS 11: the table "IGEL COSMOS PAS - Entitlements and Effects of Expiration",
/// section "IGEL OS 11", with the add-on packs and their version windows, as rows
/// (ENTITLEMENTS.md "IGEL OS 11", "OS 11 versions", "Evaluation (demo) licenses").
///
/// The source's table keeps "Use IGEL OS 11 ✓" after a subscription expired: a `WE` keeps
/// the device licensed after expiry whatever its model (perpetual, or the "IGEL OS 11
/// subscription" sold until March 2023), with every row in its "after expiry" column. Only an
/// evaluation ends (`WE-E`, or any license of model `evaluation`).
///
/// "Maintenance" is an active WE (its maintenance term) or an active PAS; the EMP rows are
/// granted by an active EMP or PAS; the add-ons by their own pack. An active `WE-E` (the
/// 90-day demo: "Workspace Edition, Enterprise Management Pack, PCoIP client by Teradici")
/// stands beside WE, EMP and TER in every row they grant.
extension EntitlementTable {
    static let maintenance = ["WE", "WE-E", "PAS"]
    static let management = ["EMP", "WE-E", "PAS"]

    /// "PCoIP client by Teradici (IGEL OS 11.01.110 or higher)", a pack up to 11.06.
    static let teradiciVersions = VersionWindow(from: "11.01.110", through: "11.06")
    static let powerTermVersions = VersionWindow(from: "11.02.100")
    static let ninetyMeterVersions = VersionWindow(from: "11.01.110")

    public static let os11 = EntitlementTable(
        generation: .os11,
        baseLicense: BaseLicenseRule([
            .init("WE", whenExpired: .always),
            .init("WE-E", whenExpired: .never),
            .init("PAS", whenExpired: .always),
        ]),
        // No onboarding service on OS 11: it exists on OS 12 only.
        unlicensedFeatures: ["connect-ums", "deploy-license"],
        // DELIVERY.md: "its base license (or EMP)" running out makes `deploy` ask the UMS.
        renewalWatch: ["EMP"],
        rows: [
            Row(["use-os"], grantedWhile: .licensed, afterExpiry: .kept),
            // `imi` is granted to every licensed OS 11 device, which is what the IMI pack grants
            // (LICENSE-FORMAT.md "Product pack types": `AIT`, `IMI` grant `ait` / `imi`).
            Row(["connect-ums", "scan-register", "deploy-license", "activate-codecs", "power-control", "imi",
                 "shadow", "config-changes", "remote-config"],
                grantedWhile: .licensed, afterExpiry: .kept),
            Row(["update-firmware-locally"], grantedWhile: .active(maintenance), afterExpiry: .releasedBeforeExpiry),
            Row(["trigger-firmware-update"], grantedWhile: .active(maintenance), afterExpiry: .denied),
            Row(["custom-partition"], grantedWhile: .active(maintenance), afterExpiry: .denied),
            Row(["shared-workplace"], grantedWhile: .active(management), afterExpiry: .denied),
            Row(["connect-icg", "shadow-via-icg", "config-via-icg"], grantedWhile: .active(management),
                afterExpiry: .denied),
            Row(["ait"], grantedWhile: .active(management + ["AIT"]), afterExpiry: .denied),
            Row(["powerterm"], grantedWhile: .active(["PWT"]), afterExpiry: .keptIfPerpetual,
                versions: powerTermVersions),
            Row(["smartcard-90meter"], grantedWhile: .active(["90M"]), afterExpiry: .keptIfPerpetual,
                versions: ninetyMeterVersions),
            Row(["pcoip-teradici"], grantedWhile: .active(["TER", "WE-E"]), afterExpiry: .denied,
                versions: teradiciVersions),
        ])
}
