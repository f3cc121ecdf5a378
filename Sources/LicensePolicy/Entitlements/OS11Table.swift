/// IGEL OS 11: the table "IGEL COSMOS PAS - Entitlements and Effects of Expiration",
/// section "IGEL OS 11", with the add-on packs, as rows (ENTITLEMENTS.md "IGEL OS 11").
///
/// "Maintenance" is an active WE (its maintenance term) or an active PAS; the EMP rows are
/// granted by an active EMP or PAS; the add-ons by their own pack.
extension EntitlementTable {
    static let maintenance = ["WE", "PAS"]
    static let management = ["EMP", "PAS"]

    public static let os11 = EntitlementTable(
        generation: .os11,
        baseLicense: BaseLicenseRule([
            .init("WE", whenExpired: .perpetualOnly),
            .init("WE-E", whenExpired: .never),
            .init("PAS", whenExpired: .always),
        ]),
        rows: [
            Row(["use-os"], grantedWhile: .licensed, afterExpiry: .kept),
            Row(["connect-ums", "scan-register", "deploy-license", "activate-codecs", "power-control", "imi",
                 "shadow", "config-changes", "remote-config"],
                grantedWhile: .licensed, afterExpiry: .kept),
            Row(["update-firmware-locally"], grantedWhile: .active(maintenance), afterExpiry: .releasedBeforeExpiry),
            Row(["trigger-firmware-update"], grantedWhile: .active(maintenance), afterExpiry: .denied),
            Row(["custom-partition"], grantedWhile: .active(maintenance), afterExpiry: .denied),
            Row(["shared-workplace"], grantedWhile: .active(management), afterExpiry: .denied),
            Row(["connect-icg", "shadow-via-icg", "config-via-icg"], grantedWhile: .active(management),
                afterExpiry: .denied),
            Row(["ait"], grantedWhile: .active(management), afterExpiry: .denied),
            Row(["powerterm"], grantedWhile: .active(["PWT"]), afterExpiry: .keptIfPerpetual),
            Row(["smartcard-90meter"], grantedWhile: .active(["90M"]), afterExpiry: .keptIfPerpetual),
            Row(["pcoip-teradici"], grantedWhile: .active(["TER"]), afterExpiry: .denied),
        ])
}
