import LicensePlatform
import LicensePolicy
import SystemPackage

/// The device's verifier — keyring and CRLs loaded once — and every use of it: the
/// installed licenses for `status` and `check`, candidates for imports. One path for one job,
/// so an import and a boot check can never judge the same file differently.
///
/// One per run: a command that verifies twice (`check` with a removal profile assigned: the
/// removal, then the answer) hands the same one to both, so the keyring is parsed once and
/// the chains trusted for the removal are known to the answer.
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

    /// Every installed license, read and verified one at a time (memory stays flat), for
    /// `status` and `check`.
    ///
    /// An error reading is never a verdict (CLI.md "One failed syscall never costs the truth"):
    /// a license file the system failed to read (EIO, EACCES) is left out — it has no verdict,
    /// neither `malformed` nor anything else — and its failure goes to `unreadable`, for
    /// `errors[]`. A file refused for what it is (a symlink, a FIFO, over the size limit) keeps
    /// its `malformed`. A keyring or CRL file that could not be read is thrown: without it no
    /// file can be judged, and `untrusted` would be a verdict made of a failed read.
    public func examineInstalled(layout: DeviceLayout,
                                 unreadable: inout [AgentError]) throws(AgentError) -> [LicenseEvaluation.Examined] {
        try examineInstalled(layout: layout) { failure in
            unreadable.append(failure.reported(as: .io, "Cannot read a license file", remedy: """
                It has no verdict and does not count until it can be read; check the storage \
                holding /license (the kernel log names the fault)
                """))
        }
    }

    /// Every installed license, for a change built from them (a removal, an import): every
    /// file and the keyring must have been read. One that could not be stops the change before
    /// anything is touched — a license the agent could not see must never be taken for one that
    /// does not match ("nothing matches") or be left out of the new set.
    public func examineInstalled(layout: DeviceLayout) throws(AgentError) -> [LicenseEvaluation.Examined] {
        try examineInstalled(layout: layout) { failure throws(AgentError) in
            throw failure.reported(as: .io, "Cannot read a license file", remedy: """
                Nothing was changed; check the storage holding /license (the kernel log names \
                the fault), then try again
                """)
        }
    }

    /// The installed licenses, each read failure handed to `unreadable` (which may throw).
    private func examineInstalled(
        layout: DeviceLayout, unreadable: (AgentError) throws(AgentError) -> Void
    ) throws(AgentError) -> [LicenseEvaluation.Examined] {
        if let failure = trustReadFailure { throw failure }
        let files = try InstalledLicenses(layout: layout).files()
        log.debug("\(files.count) license file(s) in \(layout.licenseDirectory); keyring \(layout.keyring)")
        var examined: [LicenseEvaluation.Examined] = []
        for file in files {
            let contents = file.read()
            if case .failure(let failure) = contents, failure.isReadFailure {
                try unreadable(failure)
                continue
            }
            examined.append(examine(file.name, contents: contents))
        }
        return examined
    }

    /// The keyring or CRL file exists but the system failed to read it (EIO, EACCES): an error
    /// of this run, not a setup problem — a missing or unparseable keyring is `trustProblem`
    /// alone, and a verdict (`untrusted`) for every file.
    private var trustReadFailure: AgentError? {
        guard let trustProblem, trustProblem.isReadFailure else { return nil }
        return trustProblem.reported(as: trustProblem.code, trustProblem.summary, remedy: """
            No license can be judged until it can be read, so nothing was changed; check the \
            device's storage (the kernel log names the fault), then try again
            """)
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

extension AgentError {
    /// The system failed a read (EIO, EACCES, …): the errno of a call, other than "no such
    /// file". Not a refusal of what a file holds, and not a file that is absent.
    var isReadFailure: Bool {
        guard case .errno(let number, _)? = cause else { return false }
        return number != Errno.noSuchFileOrDirectory.rawValue
    }
}
