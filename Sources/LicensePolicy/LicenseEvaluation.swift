/// Turns what the signature layer found into one verdict per file (LICENSE-FORMAT.md
/// "Verdicts"), decided in the contract's order:
/// size/parse → signature → chain/trust/revocation → document → unit → dates → duplicate.
///
/// Evaluation runs in two steps because trusted time depends on the licenses themselves
/// (the newest `issued` among verified ones): `examine` everything (signature, chain at
/// `issued`, document), compute trusted time from the examined set, then `judge` the rest.
public enum LicenseEvaluation {
    /// A file after signature, chain and document checks, before unit and dates.
    public struct Examined: Sendable {
        public let file: FileName
        public let outcome: Outcome

        public enum Outcome: Sendable {
            case refused(Verdict, detail: String)
            case verified(LicenseDocument, signer: SignerFacts)
        }

        public var document: LicenseDocument? {
            if case .verified(let document, _) = outcome { return document }
            return nil
        }
    }

    /// The verdict for one file, as `status` and `check` report it.
    public struct Report: Sendable {
        public let file: FileName
        public let verdict: Verdict
        public let document: LicenseDocument?
        public let detail: String

        public init(file: FileName, verdict: Verdict, document: LicenseDocument?, detail: String) {
            self.file = file
            self.verdict = verdict
            self.document = document
            self.detail = detail
        }
    }

    /// What the signature layer decided for one file, as an examined file.
    public static func examine(file: FileName, signature: SignatureCheck) -> Examined {
        switch signature {
        case .refused(let verdict, let detail):
            return Examined(file: file, outcome: .refused(verdict, detail: detail))
        case .verified(let document, let signer):
            return Examined(file: file, outcome: .verified(document, signer: signer))
        }
    }

    /// The newest `issued` among files whose signature and chain verified: an input of trusted time.
    public static func newestIssued(_ examined: [Examined]) -> Timestamp? {
        examined.compactMap { $0.document?.issued }.max()
    }

    /// Unit → dates → duplicate, for files already examined, in the given order.
    ///
    /// `alreadyCounted` holds license ids counted elsewhere (an import compares a candidate
    /// with the installed set); the first file with an id counts, later ones are `duplicate`.
    public static func judge(_ examined: [Examined], unit: UnitID?, today: CalendarDay,
                             alreadyCounted: Set<String> = []) -> [Report] {
        var counted = alreadyCounted
        return examined.map { item in
            switch item.outcome {
            case .refused(let verdict, let detail):
                return Report(file: item.file, verdict: verdict, document: nil, detail: detail)
            case .verified(let document, let signer):
                guard let unit, document.units.contains(unit) else {
                    let bound = document.units.map(\.value).sorted().joined(separator: ", ")
                    let mine = unit.map { "this unit is \($0)" } ?? "this device has no unit ID"
                    return Report(file: item.file, verdict: .otherUnit, document: document,
                                  detail: "bound to \(bound.isEmpty ? "no valid unit ID" : bound); \(mine)")
                }
                let (verdict, detail) = dateVerdict(document, today: today, signer: signer)
                guard !counted.contains(document.licenseId) else {
                    return Report(file: item.file, verdict: alreadyCounted.contains(document.licenseId) ? .alreadyInstalled : .duplicate,
                                  document: document, detail: "license \(document.licenseId) is already counted from another file")
                }
                counted.insert(document.licenseId)
                return Report(file: item.file, verdict: verdict, document: document, detail: detail)
            }
        }
    }

    static func dateVerdict(_ document: LicenseDocument, today: CalendarDay, signer: SignerFacts) -> (Verdict, String) {
        if today < document.starts {
            return (.notYetValid, "\(document.product) starts on \(document.starts)")
        }
        if document.expires < today {
            let what = document.model == .perpetual ? "maintenance ended" : "expired"
            return (.expired, "\(document.product) \(what) on \(document.expires)")
        }
        return (.valid, "\(document.product) \(document.model.rawValue) until \(document.expires), signed by \(signer.subject)")
    }
}
