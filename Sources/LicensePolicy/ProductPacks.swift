/// The product pack codes of LICENSE-FORMAT.md "Product pack types": what `--product` of
/// `remove` is completed with, and `product:CODE` in a removal profile usually names.
///
/// Not a gate: an unknown code is still a verified license that grants nothing, and
/// `remove --product` accepts any well-formed code (a pack the vendor adds later).
public enum ProductPacks {
    /// Every code the contract lists: the packs that grant device features first (`AIT` and
    /// `IMI` grant `ait` / `imi` on OS 11), then the legacy and server-side packs that grant
    /// no device feature.
    public static let knownCodes = [
        "PAS", "WE", "WE-E", "EMP", "PWT", "90M", "TER", "AIT", "IMI",
        "UDP", "UDC3", "ICG", "ADDON", "SAM", "UDC2UPGR", "IZUPGR",
    ]
}

extension Entitlements {
    /// Every feature name of every IGEL OS generation, sorted: what `allows FEATURE` is
    /// completed with (the device's own generation is not known when the shell completes).
    public static var allFeatureNames: [String] {
        Set(OSGeneration.allCases.flatMap(featureNames(for:))).sorted()
    }
}
