import Foundation
import TestSupport
import Testing

/// The bash completion script the package ships (`license-agent
/// --generate-completion-script bash`), run by a real bash as readline would: `import <TAB>`
/// and `--root <TAB>` complete files and directories, `allows <TAB>` feature names,
/// `remove --product <TAB>` product codes.
@Suite struct CompletionTests {
    /// Sources the generated script in bash, fills COMP_* for `line` typed so far (the cursor at
    /// its end) in `directory`, calls the completion function, and returns COMPREPLY sorted.
    func complete(_ line: String, in directory: String) throws -> [String] {
        let driver = """
            source <("$AGENT" --generate-completion-script bash) || exit 3
            COMP_LINE="$LINE"; COMP_POINT=${#COMP_LINE}
            read -r -a COMP_WORDS <<<"$COMP_LINE"
            [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMPREPLY=()
            # compopt complains outside a real completion; what it would set does not matter here.
            compopt() { :; }
            _license-agent license-agent "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try ProcessRunner.run(["bash", "-c", driver], environment: ["AGENT": Umockdev.agent, "LINE": line],
                                           directory: directory)
        guard result.status == 0 else { throw ProcessRunner.Failure(description: "completion of \(line): \(result)") }
        return result.stdout.split(separator: "\n").map(String.init).filter { !$0.isEmpty }.sorted()
    }

    /// A directory with a license, another file and a subdirectory.
    func workingDirectory() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory("completion")
        try directory.write("EMP-R9HXH.lic", "x")
        try directory.write("notes.txt", "x")
        _ = try directory.makeDirectory("stick")
        return directory
    }

    @Test func importCompletesFilesAndDirectories() throws {
        let directory = try workingDirectory()
        #expect(try complete("license-agent import ", in: directory.path) == ["EMP-R9HXH.lic", "notes.txt", "stick"])
        #expect(try complete("license-agent import E", in: directory.path) == ["EMP-R9HXH.lic"])
    }

    @Test func rootCompletesDirectoriesOnly() throws {
        let directory = try workingDirectory()
        #expect(try complete("license-agent status --root ", in: directory.path) == ["stick"])
    }

    @Test func allowsCompletesFeatureNamesOfEveryGeneration() throws {
        let directory = try workingDirectory()
        #expect(try complete("license-agent allows connect-", in: directory.path) == ["connect-icg", "connect-ums"])
        let all = try complete("license-agent allows ", in: directory.path)
        // OS 12 only, OS 11 only, and the unlicensed set.
        for feature in ["update-os-locally", "custom-partition", "pcoip-teradici", "onboarding-service"] {
            #expect(all.contains(feature), "\(all)")
        }
    }

    @Test func productCompletesProductCodes() throws {
        let directory = try workingDirectory()
        #expect(try complete("license-agent remove --product W", in: directory.path) == ["WE", "WE-E"])
        #expect(try complete("license-agent remove --product ", in: directory.path).contains("PAS"))
    }
}
