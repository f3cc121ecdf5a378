import Foundation
import LicenseAgent
import LicensePolicy
import TestSupport
import Testing

/// `NetworkTransfer` with helpers that misbehave in every way the root process must survive:
/// each ends in one transfer error, never in a hang, a crash or an answer taken as good.
@Suite struct NetworkTransferTests {
    /// A helper program made of `script` (run by /bin/sh after reading its request). Written by
    /// a child process, not by this one: a descriptor open for writing here could be inherited
    /// by a program another test starts meanwhile, and the kernel refuses to run a file that is
    /// open for writing (ETXTBSY).
    static func helper(_ script: String, in directory: TemporaryDirectory) throws -> NetworkTransfer {
        let path = directory.appending("helper.sh")
        try ProcessRunner.checked(["/bin/sh", "-c", "cat >\"$1\" && chmod 755 \"$1\"", "sh", path],
                                  stdin: Data("#!/bin/sh\ncat >/dev/null\n\(script)\n".utf8))
        return NetworkTransfer(executable: path, grace: .milliseconds(500))
    }

    static let options = NetworkTransfer.Options(timeoutSeconds: 1)

    static func failure(of transfer: NetworkTransfer) -> AgentError? {
        do {
            _ = try transfer.download(url: "https://127.0.0.1:9/a.lic", options: options)
            return nil
        } catch {
            return error
        }
    }

    @Test func aHelperThatOverstaysIsKilledAtTheTimeLimit() throws {
        let directory = try TemporaryDirectory("transfer-timeout")
        let started = ContinuousClock.now
        let error = try #require(Self.failure(of: try Self.helper("sleep 30", in: directory)))
        #expect(error.code == .network)
        #expect(error.sentence.contains("did not finish within 1 seconds and was stopped"), "\(error.sentence)")
        #expect(ContinuousClock.now - started < .seconds(20), "the sleeping helper was waited for")
    }

    @Test func aHelperKilledByItsFilterSaysSo() throws {
        let directory = try TemporaryDirectory("transfer-sigsys")
        let error = try #require(Self.failure(of: try Self.helper("kill -SYS $$", in: directory)))
        #expect(error.sentence.contains("stopped by its system-call filter"), "\(error.sentence)")
    }

    @Test func aHelperThatSaysTooMuchIsCutOff() throws {
        let directory = try TemporaryDirectory("transfer-flood")
        let error = try #require(Self.failure(of: try Self.helper("exec cat /dev/zero", in: directory)))
        #expect(error.failure == .bodyOverLimit, "\(error.sentence)")
    }

    @Test(arguments: ["printf garbage", "printf 'LAA1'", "exit 3", "printf 'LAA1\\026\\0\\0\\0\\001x'; exit 0"])
    func anyOtherEndingIsATransferError(_ script: String) throws {
        let directory = try TemporaryDirectory("transfer-garbage")
        let error = try #require(Self.failure(of: try Self.helper(script, in: directory)))
        #expect(error.code == .network)
        #expect(error.sentence.contains("network helper"), "\(error.sentence)")
        #expect(!error.sentence.contains("\n"))
    }

    /// The real helper (the built `license-agent`) reading a `file:` URL, and the answer it
    /// gives for one it cannot read: errors come back with their words intact.
    @Test func theRealHelperAnswersBothWays() throws {
        let directory = try TemporaryDirectory("transfer-real")
        try ProcessRunner.checked(["chmod", "o+x", directory.path])
        let file = try directory.write("a.lic", "license bytes\n")
        let transfer = NetworkTransfer(executable: ProcessRunner.buildDirectory + "/license-agent")
        #expect(try transfer.download(url: "file://" + file, options: .init()) == Array("license bytes\n".utf8))
        #expect(throws: AgentError.self) { try transfer.download(url: "file://" + directory.appending("none.lic"), options: .init()) }
        do {
            _ = try transfer.download(url: "file://" + directory.appending("none.lic"), options: .init())
        } catch {
            guard case .curl(37, _)? = error.cause else {
                Issue.record("libcurl's cause did not survive the way back: \(error.sentence)")
                return
            }
        }
    }
}
