import Foundation
import LicenseAgent
import LicensePlatform
import LicensePolicy
import Testing
import TestSupport

/// `--root` is the bytes the shell passed (CLI.md "File names, output and secrets"): a device
/// tree under a directory whose name is not UTF-8 (`dev\351`, Latin-1) works through the boot
/// dispatch and through the parser alike, in every spelling of the option. Swift's own
/// argument decoding would name `dev\u{FFFD}` instead, which does not exist.
@Suite struct RootPathBytesTests {
    /// The raw name of the root, as `printf` spells it.
    static let rawName = "dev\\351"

    /// A device tree whose contents are moved into `<tree>/dev\351`, the root the agent is given.
    static func device() throws -> DeviceTree {
        let device = try DeviceTree()
        try ProcessRunner.checked(["sh", "-c", """
            cd "$1" && raw="$(printf "$2")" && mkdir "$raw" && for entry in etc license run wfs; do mv "$entry" "$raw/"; done
            """, "sh", device.root, rawName])
        return device
    }

    /// Runs the built agent under umockdev with `arguments`, where the word `ROOT` stands for the
    /// raw root's path, `--root=ROOT` for the option's joined spelling, and `TREE/NAME` for the
    /// path of `NAME` (`printf` escapes) in the tree's directory.
    static func agent(_ device: DeviceTree, _ arguments: [String], rawName: String = rawName) throws -> ProcessResult {
        try ProcessRunner.run(["umockdev-run", "-d", try Umockdev.fixture("device"), "--", "sh", "-c", """
            tree="$1"; root="$1/$(printf "$2")"; agent="$3"; shift 3
            for word; do
                case "$word" in
                    ROOT) word="$root" ;;
                    --root=ROOT) word="--root=$root" ;;
                    TREE/*) word="$tree/$(printf "${word#TREE/}")" ;;
                esac
                set -- "$@" "$word"; shift
            done
            exec "$agent" "$@"
            """, "sh", device.root, rawName, Umockdev.agent] + arguments)
    }

    /// The bytes of `relative` under the raw root, or nil when it does not exist.
    static func contents(_ device: DeviceTree, _ relative: String) throws -> String? {
        let result = try ProcessRunner.run(["sh", "-c", "cat \"$1/$(printf \"$2\")/$3\"", "sh", device.root, rawName, relative])
        return result.status == 0 ? result.stdout : nil
    }

    static func licensedAndValid(_ result: ProcessResult) throws {
        #expect(result.status == 0, "\(result)")
        let json = try result.json()
        #expect(json["licensed"] as? Bool == true, "\(result)")
        let licenses = try #require(json["licenses"] as? [[String: Any]])
        #expect(licenses.map { $0["verdict"] as? String } == ["valid"], "\(licenses)")
    }

    /// `status` and `check` with only global options: the boot dispatch, which skips the parser.
    @Test(arguments: [["status", "--json", "--root", "ROOT"], ["--root", "ROOT", "--json", "status"], ["status", "--root=ROOT", "--json"]])
    func bootInvocationsReadTheTree(arguments: [String]) throws {
        let device = try Self.device()
        try device.installLicense("PAS.lic")
        _ = try ProcessRunner.checked(["sh", "-c", "mv \"$1/license/dsa/licenses/PAS.lic\" \"$1/$(printf \"$2\")/license/dsa/licenses/\"",
                                       "sh", device.root, Self.rawName])
        try Self.licensedAndValid(try Self.agent(device, arguments))
    }

    @Test func checkPublishesItsAnswerUnderTheRoot() throws {
        let device = try Self.device()
        let check = try Self.agent(device, ["check", "--json", "--root", "ROOT"])
        #expect(check.status == 2, "unlicensed, answered: \(check)")
        let state = try #require(try Self.contents(device, "run/license-agent/state.json"), "state.json under the raw root")
        let published = try JSONSerialization.jsonObject(with: Data(state.utf8)) as? [String: Any]
        #expect(published?["licensed"] as? Bool == false, "\(state)")
    }

    /// Every other invocation goes through swift-argument-parser: an import, and `status` with
    /// an option the boot dispatch does not know.
    @Test func parsedCommandsUseTheTree() throws {
        let device = try Self.device()
        let file = try device.candidate("PAS.lic", device.sign(DeviceTree.document()))
        let imported = try Self.agent(device, ["import", file, "--root", "ROOT"])
        #expect(imported.status == 0, "\(imported)")
        #expect(try Self.contents(device, "license/dsa/licenses/PAS.lic") != nil, "installed under the raw root")
        try Self.licensedAndValid(try Self.agent(device, ["--root=ROOT", "status", "--json", "--at", TestDay.fromToday(days: 30)]))
        try Self.licensedAndValid(try Self.agent(device, ["status", "--at", TestDay.fromToday(days: 30), "--json", "--root", "ROOT"]))
    }

    /// In-process: a UTF-8 root is kept as it is; any other is reached through its open directory
    /// for as long as the layout lives.
    @Test func layoutHoldsARootWhoseNameIsNotUTF8() throws {
        let device = try Self.device()
        let raw = Array((device.root + "/dev").utf8) + [0xE9]
        #expect(try DeviceLayout(rootBytes: Array((device.root + "/").utf8)).root == device.root)
        let layout = try DeviceLayout(rootBytes: raw)
        #expect(layout.root.hasPrefix("/proc/self/fd/"), "\(layout.root)")
        #expect(try OpenDirectory.open(layout.licenseDirectory) != nil)
        #expect(DeviceLayout.isExistingDirectory(raw))
        let missing = #expect(throws: AgentError.self) { try DeviceLayout(rootBytes: raw + [0xE9]) }
        #expect(missing?.code == .notFound)
        #expect(missing?.path?.hasSuffix("dev\\xe9\\xe9") == true, "\(String(describing: missing))")
    }

    /// A root that does not exist is named with its bytes escaped, not repaired.
    @Test(arguments: [["status", "--root", "ROOT"], ["status", "--at", TestDay.fromToday(days: 30), "--root", "ROOT"]])
    func aMissingRootIsNamedByItsBytes(arguments: [String]) throws {
        let device = try Self.device()
        let result = try Self.agent(device, arguments, rawName: "gone\\351")
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains("gone\\xe9 is not an existing directory"), "\(result.stderr)")
    }
}

/// The other paths the command line takes are bytes too: `import-usb --dir` and `config apply FILE`.
extension RootPathBytesTests {
    @Test func importFromADirectoryWhoseNameIsNotUTF8() throws {
        let device = try Self.device()
        try device.writeFile(rawName: "PAS.lic", in: ".", contents: device.sign(DeviceTree.document()))
        try ProcessRunner.checked(["sh", "-c", "cd \"$1\" && mkdir \"$(printf 'stick\\351')\" && mv PAS.lic \"$(printf 'stick\\351')/\"",
                                   "sh", device.root])
        let imported = try Self.agent(device, ["import-usb", "--dir", "TREE/stick\\351", "--root", "ROOT"])
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stdout.contains("stick\\xe9/PAS.lic: installed as PAS.lic"), "\(imported.stdout)")
        #expect(try Self.contents(device, "license/dsa/licenses/PAS.lic") != nil, "installed under the raw root")
    }

    @Test func applySettingsFromAFileWhoseNameIsNotUTF8() throws {
        let device = try Self.device()
        let settings = "system.remotemanager.server=https://ums.example:8443\n"
        try device.writeFile(rawName: "group\\351.ini", in: ".", contents: Data(settings.utf8))
        let applied = try Self.agent(device, ["config", "apply", "TREE/group\\351.ini", "--root", "ROOT"])
        #expect(applied.status == 0, "\(applied)")
        #expect(applied.stdout.contains("group\\xe9.ini"), "named by its bytes, escaped: \(applied.stdout)")
        #expect(try Self.contents(device, "wfs/group.ini") == settings)
    }
}

/// Every path is the bytes of its own argument, by position, not the first argument that
/// decodes alike: the root `dev\351` and a file `dev\352` both read `dev\u{FFFD}` as Swift
/// decodes them, and so does a file whose UTF-8 name really is `dev\u{FFFD}`. Given the root
/// first, each file was once taken for the root directory ("Not a regular file (directory)").
extension RootPathBytesTests {
    @Test(arguments: [["--root", "ROOT", "config", "apply", "TREE/dev\\352"],
                      ["--root", "ROOT", "config", "apply", "TREE/dev\\357\\277\\275"],
                      ["config", "apply", "--root", "ROOT", "TREE/dev\\352"]])
    func aSettingsFileThatDecodesLikeTheRootIsItself(arguments: [String]) throws {
        let device = try Self.device()
        let settings = "system.remotemanager.server=https://ums.example:8443\n"
        try device.writeFile(rawName: String(arguments.last!.dropFirst("TREE/".count)), in: ".", contents: Data(settings.utf8))
        let applied = try Self.agent(device, arguments)
        #expect(applied.status == 0, "\(applied)")
        #expect(try Self.contents(device, "wfs/group.ini") == settings)
    }

    @Test(arguments: ["dev\\352.lic", "dev\\357\\277\\275.lic"])
    func aLicenseFileThatDecodesLikeTheRootIsItself(name: String) throws {
        let device = try Self.device()
        try device.writeFile(rawName: name, in: ".", contents: device.sign(DeviceTree.document()))
        // The root's own name ends in `.lic` too, so that the two decode alike.
        try ProcessRunner.checked(["sh", "-c", "cd \"$1\" && mv \"$(printf 'dev\\351')\" \"$(printf 'dev\\351.lic')\"", "sh", device.root])
        let imported = try Self.agent(device, ["--root", "ROOT", "import", "TREE/" + name], rawName: "dev\\351.lic")
        #expect(imported.status == 0, "\(imported)")
        #expect(imported.stdout.contains("installed as"), "\(imported.stdout)")
    }
}
