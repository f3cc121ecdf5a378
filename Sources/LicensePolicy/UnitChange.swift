/// The replaced-NIC rule (CLI.md "Unit ID"): the unit ID a device had is remembered in the
/// agent state; when the current one differs, `status` and `check` warn `unit-changed`, and
/// the warning stays until a license bound to the new unit ID is installed or an
/// administrator runs `unit-id --accept`. Only then is the remembered ID replaced, so a
/// `check` alone never makes the device forget that it changed.
public enum UnitChange {
    /// The `unit-changed` warning, or nil when nothing changed or the new unit already holds a
    /// license. `licenses` are the verdicts judged against `current`: a counted one is bound
    /// to it; the ones naming `remembered` are the licenses the replacement left behind.
    public static func warning(remembered: UnitID?, current: UnitID?,
                               licenses: [LicenseEvaluation.Report]) -> Warning? {
        guard let remembered, let current, remembered != current,
              !licenses.contains(where: { $0.verdict.isCounted }) else { return nil }
        let left = licenses.filter { $0.document?.units.contains(remembered) == true }.count
        let bound = left == 1 ? "1 installed license is" : "\(left) installed licenses are"
        return Warning(code: .unitChanged,
                       message: "The unit ID changed from \(remembered) to \(current) (network card replaced?); \(bound) bound to \(remembered) and no longer match. Install a license for \(current), or run `license-agent unit-id --accept` if the change is intended.")
    }

    /// The unit ID `check` remembers: the current one when there was none, when it is the
    /// same, or when a license bound to it is installed; otherwise the remembered one stays.
    public static func unitToRemember(remembered: UnitID?, current: UnitID?,
                                      licenses: [LicenseEvaluation.Report]) -> UnitID? {
        guard let current else { return remembered }
        guard let remembered, remembered != current else { return current }
        return licenses.contains(where: { $0.verdict.isCounted }) ? current : remembered
    }
}
