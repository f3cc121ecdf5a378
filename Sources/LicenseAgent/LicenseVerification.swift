import LicensePlatform
import LicensePolicy

/// The device's verifier — keyring and CRLs loaded once — and every use of it: the
/// installed licenses for `status` and `check`, candidates for imports. One path for one job,
/// so an import and a boot check can never judge the same file differently.
///
/// A keyring or CRL file that cannot be used is not an exception here: it is `trustProblem`,
/// a named setup problem (CLI.md "Setup problems are named"), and every file is then
/// `untrusted` with that reason. Nothing is deleted because of it.
public final class LicenseVerification {
    private let verifier: CMSLicenseVerifier?
    /// Why nothing can be trusted, when the keyring or the CRL file is unusable.
    public let trustProblem: AgentError?

    public init(layout: DeviceLayout) {
        do {
            verifier = try CMSLicenseVerifier(keyringPath: layout.keyring, crlPath: layout.crl)
            trustProblem = nil
        } catch {
            verifier = nil
            trustProblem = error
        }
    }

    /// Envelope, signature, chain at `issued` and document of one file.
    public func examine(_ name: FileName, contents: Result<[UInt8], AgentError>) -> LicenseEvaluation.Examined {
        let signature: SignatureCheck
        switch (contents, verifier) {
        case (.failure(let error), _):
            signature = .refused(.malformed, detail: error.sentence)
        case (.success, nil):
            signature = .refused(.untrusted, detail: trustProblem?.sentence ?? "no keyring")
        case (.success(let bytes), let verifier?):
            signature = verifier.check(bytes)
        }
        return LicenseEvaluation.examine(file: name, signature: signature)
    }

    /// Every installed license, read and verified one at a time (memory stays flat).
    public func examineInstalled(layout: DeviceLayout) throws(AgentError) -> [LicenseEvaluation.Examined] {
        let files = try InstalledLicenses(layout: layout).files()
        log.debug("\(files.count) license file(s) in \(layout.licenseDirectory); keyring \(layout.keyring)")
        return files.map { examine($0.name, contents: $0.read()) }
    }

    /// The setup warning that `trustProblem` is, if any.
    public var trustWarning: Warning? {
        guard let trustProblem else { return nil }
        let code: Warning.Code
        switch trustProblem.code {
        case .keyringMissing: code = .keyringMissing
        case .crlUnusable: code = .crlUnusable
        default: code = .keyringUnusable
        }
        return Warning(code: code, message: trustProblem.sentence + " No license can be trusted until this is fixed.")
    }
}
