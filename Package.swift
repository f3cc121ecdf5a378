// swift-tools-version:6.1
import PackageDescription

/// license-agent: the on-device licensing agent for IGEL OS endpoints.
///
/// Layers, from the bottom up:
/// - `COpenSSL`, `CUdev`, `CBlkid`, `CCurl`, `CSandbox`, `CLinux`: system libraries and syscalls (module map +
///   shim header only).
/// - `LicensePlatform`: the only target that touches C pointers; one final class per C object.
/// - `LicensePolicy`: plain Swift rules (documents, verdicts, unit IDs, time, entitlements,
///   profiles); no C import, testable without a device.
/// - `LicenseAgent`: the operations (status, check, imports, removal) over a device tree.
/// - `license-agent`: the thin command line; `license-issuer`: the vendor-side test tool;
///   `CommandReporting`: how both turn errors into a stderr sentence and an exit code.
let package = Package(
    name: "license-agent",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "license-agent", targets: ["license-agent"]),
        .executable(name: "license-issuer", targets: ["license-issuer"]),
        // For the fuzz targets in Fuzz/ (a package of its own, built with libFuzzer).
        .library(name: "LicenseAgentCore", targets: ["LicensePolicy", "LicensePlatform", "LicenseAgent"]),
        // The mutation engine of the fast path's differential test, shared with its fuzz target.
        .library(name: "LicenseMutation", targets: ["LicenseMutation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CUdev", pkgConfig: "libudev",
            providers: [.apt(["libudev-dev"])]),
        .systemLibrary(
            name: "CBlkid", pkgConfig: "blkid",
            providers: [.apt(["libblkid-dev"])]),
        // No pkgConfig: libcurl is opened with dlopen on first use, not linked (see CCurl/shim.h).
        .systemLibrary(
            name: "CCurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        // No pkgConfig: libseccomp is opened with dlopen by the network helper only (see CSandbox/shim.h).
        .systemLibrary(
            name: "CSandbox",
            providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CLinux"),
        .target(name: "LicensePolicy"),
        .target(
            name: "LicensePlatform",
            dependencies: [
                "COpenSSL", "CUdev", "CBlkid", "CCurl", "CSandbox", "CLinux", "LicensePolicy",
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        .target(
            name: "LicenseAgent",
            dependencies: [
                "LicensePolicy", "LicensePlatform",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "CommandReporting",
            dependencies: [
                "LicensePolicy", "LicensePlatform",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        .executableTarget(
            name: "license-agent",
            dependencies: [
                "LicenseAgent", "LicensePolicy", "CommandReporting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The shipped build packs its relative relocations (DT_RELR, which Debian 12's glibc
            // applies): fewer pages touched before main() at every boot. The toolchain's default
            // linker, gold, cannot; lld, which ships with the toolchain, can.
            linkerSettings: [
                .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"],
                             .when(configuration: .release)),
            ]),
        .executableTarget(
            name: "license-issuer",
            dependencies: [
                "LicensePlatform", "LicensePolicy", "CommandReporting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "LicensePolicyTests", dependencies: ["LicensePolicy", "LicenseMutation"]),
        .testTarget(
            name: "LicensePlatformTests",
            dependencies: ["LicensePlatform", "LicensePolicy", "TestSupport", "LicenseMutation"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "LicensePolicy", "LicensePlatform", "LicenseAgent", "TestSupport",
                "license-agent", "license-issuer",
            ]),
        // In-process tests of the agent's operations, with failing system calls (`SystemCallFaults`).
        .testTarget(
            name: "LicenseAgentTests",
            dependencies: [
                "LicenseAgent", "LicensePlatform", "LicensePolicy", "TestSupport",
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .target(name: "LicenseMutation", path: "Tests/LicenseMutation"),
    ],
    swiftLanguageModes: [.v6]
)
