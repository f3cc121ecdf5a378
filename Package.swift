// swift-tools-version:6.1
import PackageDescription

/// The release build of the code a boot runs refers to a concrete generic type's metadata
/// through its accessor function rather than by mangled name. A mangled name is decoded at
/// run time, and each conformance its generic requirements name (`[UInt8]: Hashable`,
/// `AgentError: Error`) is then looked up by scanning every conformance record in the binary:
/// a few hundred thousand instructions per type, paid at every boot. The accessor is a little
/// more code and needs no lookup. (A frontend option: a toolchain without it fails the build.)
let bootPathSwiftSettings: [SwiftSetting] = [
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"],
                 .when(configuration: .release)),
]

/// How the shipped binary is linked: what every boot pays before main() and how much of the
/// binary it keeps resident (Documentation/DECISIONS.md, "What a boot pays before the first
/// license").
/// - lld, which ships with the toolchain, packs the relative relocations (DT_RELR, applied by
///   Debian 12's glibc): fewer pages written before main(). gold, the default, cannot.
/// - `Packaging/link` comes first in the library search path. Its `libstdc++.so` is a linker
///   script naming `libstdc++.a`: the C++ library the static Swift runtime needs is linked in
///   (the parts it uses) instead of loaded, so the dynamic loader has one library fewer to map
///   and relocate through the binary's symbol table.
/// - libgcc's unwinder, which libstdc++ and the runtime's backtraces call, is linked in too
///   (`-static-libgcc`): no libgcc_s.so.1 to load.
/// - No symbol of the binary is exported (the static runtime's linker arguments export them
///   all): the dynamic loader's lookups search a table of a few hundred names, not thousands.
/// - The functions a boot runs come first (`Packaging/link/boot-path.order`, written by
///   `Packaging/link/make-boot-path-order`): the kernel maps code around each page fault, and
///   scattered code kept most of the binary's text resident. A name the file lists that no
///   longer exists is ignored; a stale file only costs memory.
let shippedLinkerFlags: [String] = {
    let link = Context.packageDirectory + "/Packaging/link"
    return ["-use-ld=lld", "-L", link, "-Xclang-linker", "-static-libgcc"]
        + ["-z", "pack-relative-relocs", "--no-export-dynamic",
           "--symbol-ordering-file=\(link)/boot-path.order", "--no-warn-symbol-ordering"]
        .flatMap { ["-Xlinker", $0] }
}()

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
        // No pkgConfig: libblkid is opened with dlopen by `import-usb` only (see CBlkid/shim.h).
        .systemLibrary(
            name: "CBlkid",
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
        .target(name: "LicensePolicy", swiftSettings: bootPathSwiftSettings),
        .target(
            name: "LicensePlatform",
            dependencies: [
                "COpenSSL", "CUdev", "CBlkid", "CCurl", "CSandbox", "CLinux", "LicensePolicy",
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: bootPathSwiftSettings),
        .target(
            name: "LicenseAgent",
            dependencies: [
                "LicensePolicy", "LicensePlatform",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: bootPathSwiftSettings),
        .target(
            name: "CommandReporting",
            dependencies: [
                "LicensePolicy", "LicensePlatform",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: bootPathSwiftSettings),
        .executableTarget(
            name: "license-agent",
            dependencies: [
                "LicenseAgent", "LicensePolicy", "CommandReporting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: bootPathSwiftSettings,
            linkerSettings: [.unsafeFlags(shippedLinkerFlags, .when(configuration: .release))]),
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
