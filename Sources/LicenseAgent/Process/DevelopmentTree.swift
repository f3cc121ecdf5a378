import FoundationEssentials
import LicensePlatform

/// The source tree the running executable was built in, when it runs from one
/// (`.build/debug/license-agent` → the repository): where a development build finds what an
/// installed agent finds under `/usr/share/license-agent`, e.g. the shipped removal profiles.
enum DevelopmentTree {
    /// `Profiles/` beside `Package.swift` in a directory above the running executable, found
    /// through `/proc/self/exe`; nil when there is none.
    static func profilesDirectory() -> String? {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        var components = executable.split(separator: "/").map(String.init)
        while !components.isEmpty {
            components.removeLast()
            let directory = "/" + components.joined(separator: "/")
            let base = directory == "/" ? "" : directory
            if isDirectory(base + "/Profiles"), (try? DurableFile.read(base + "/Package.swift", limit: 1 << 20)) != nil {
                return base + "/Profiles"
            }
        }
        return nil
    }

    /// `path` names a directory that can be listed.
    static func isDirectory(_ path: String) -> Bool {
        (try? OpenDirectory.open(path)) != nil
    }
}
