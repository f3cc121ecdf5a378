// swift-tools-version:6.1
import PackageDescription

/// libFuzzer targets for every parser of license-agent (CLI.md "Nothing can crash it").
///
/// Not part of the main build: `scripts/fuzz` builds this package with
/// `-sanitize=fuzzer,address`. Each target is one file: a function that feeds the bytes to
/// one parser, and top-level code that hands it to libFuzzer's driver. Seed corpora are in
/// `Fuzz/Corpus`.
let targets = [
    "FuzzLicenseDocument", "FuzzCMSEnvelope", "FuzzKeyring", "FuzzRemovalProfile", "FuzzSettings",
    "FuzzAgentConf", "FuzzStateFiles", "FuzzMountInfo", "FuzzOSRelease", "FuzzFastPathDifferential",
    "FuzzPublicKeyDifferential", "FuzzTransferWire", "FuzzURLParts",
]

let package = Package(
    name: "license-agent-fuzz",
    dependencies: [.package(name: "license-agent", path: "..")],
    targets: [
        .systemLibrary(name: "CLibFuzzer", path: "Sources/CLibFuzzer"),
        .target(name: "FuzzDriver", dependencies: ["CLibFuzzer"], path: "Sources/FuzzDriver"),
    ] + targets.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzDriver", .product(name: "LicenseAgentCore", package: "license-agent")]
                // The differential target mutates licenses with the engine of the unit test.
                + (name == "FuzzFastPathDifferential" ? [.product(name: "LicenseMutation", package: "license-agent")] : []),
            path: "Sources/\(name)")
    },
    swiftLanguageModes: [.v6]
)
