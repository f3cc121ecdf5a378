import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// The network import paths: `fetch` (the Licensing tool's "download from a URL": https, http,
/// ftp, ftps, file) and `activate` (the setup assistant's "Activate your IGEL OS" step, which
/// asks the license server for a 90-day evaluation license for this unit). CLI.md "Imports".
///
/// The downloaded bytes go through `LicenseImport` like any other candidate: nothing is
/// installed unless it verifies and is bound to this unit. The proxy is the one given, or
/// else agent.conf's `proxy=`; failures say whether one was used and how to set one.
public struct NetworkImport {
    public let layout: DeviceLayout
    public let clock: Timestamp

    /// What the person typed into the activation form ("fill in every field"), and that
    /// they accepted the terms and the privacy policy.
    public struct EvaluationRequest: Sendable {
        public var email: String
        public var name: String
        public var company: String
        public var termsAccepted: Bool

        public init(email: String, name: String, company: String, termsAccepted: Bool) {
            self.email = email
            self.name = name
            self.company = company
            self.termsAccepted = termsAccepted
        }
    }

    /// Transfer settings from the command line; nil values fall back to agent.conf.
    public struct Connection: Sendable {
        public var proxy: String?
        public var caFile: String?

        public init(proxy: String? = nil, caFile: String? = nil) {
            self.proxy = proxy
            self.caFile = caFile
        }
    }

    public init(layout: DeviceLayout, clock: Timestamp = SystemClock.now()) {
        self.layout = layout
        self.clock = clock
    }

    /// Downloads the license at `url` and imports it (action `fetch`).
    public func fetch(url: String, connection: Connection, replace: Bool) throws(AgentError) -> LicenseImport.Outcome {
        let configuration = DeviceConfiguration(layout: layout)
        let proxy = effectiveProxy(connection, configuration)
        let bytes: [UInt8]
        do {
            bytes = try NetworkTransfer().download(url: url, options: .init(proxy: proxy, caFile: connection.caFile))
        } catch {
            let advised = URLText.scheme(of: url) == "file" ? withFileAdvice(error) : withProxyAdvice(error.withTransferRemedy(), proxy: proxy)
            throw TransferClock(layout: layout, clock: clock).explained(advised)
        }
        let candidate = LicenseImport.Candidate(source: Credentials.redacted(url),
                                                preferredName: FileName(NetworkImport.fileName(of: url))) {
            .success(bytes)
        }
        return try LicenseImport(layout: layout, clock: clock).run([candidate], options: .init(replace: replace, action: "fetch"))
    }

    /// Requests an evaluation license for this unit from `server` (or agent.conf's
    /// `server_url=`) and installs it (action `activate`).
    ///
    /// Only on a fresh device (`ActivationRule`): registered with a UMS or holding a base
    /// license, it is refused (exit 2) with the reason, before anything is written or sent.
    /// `/license/fetch.req` is written first, under the writer lock, which is released before
    /// the network call so that a slow server never blocks `check`. It is removed only when
    /// the license is installed; after any failure it stays for a retry or the rescue shell.
    public func activate(_ request: EvaluationRequest, server: String?, connection: Connection) throws(AgentError) -> LicenseImport.Outcome {
        let configuration = DeviceConfiguration(layout: layout)
        guard request.termsAccepted else {
            throw AgentError(.usage, "The evaluation can only be requested once the terms and the privacy policy are accepted",
                             remedy: "Pass --accept-terms after the user agreed to them")
        }
        let installed = try DeviceInspector(layout: layout, clock: clock).inspect().licenses
        if let refusal = ActivationRule.refusal(delivery: DeliverySettings(configuration.deviceSettings), licenses: installed) {
            throw AgentError(.refused, "Activation of an evaluation license is refused: \(refusal)",
                             remedy: "Evaluation licenses are only for a fresh device; import or deploy this device's license instead")
        }
        guard let base = (server ?? configuration.agentSettings["server_url"]).flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw AgentError(.usage, "No license server is configured",
                             remedy: "Pass --server URL, or set server_url= in /etc/license-agent/agent.conf")
        }
        guard base.lowercased().hasPrefix("https://") else {
            throw AgentError(.usage, "The license server must be an https URL, not \(base)")
        }
        let unit = try UnitIDReader(layout: layout).requireUnitID()
        let generation = configuration.generation
        try writeRequestFile(unit: unit, generation: generation)

        let endpoint = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/v1/evaluation"
        let body = JSONOutput.encode(ActivationBody(unitId: unit.description, email: request.email, name: request.name,
                                                    company: request.company, osGeneration: generation.rawValue,
                                                    termsAccepted: request.termsAccepted))
        let proxy = effectiveProxy(connection, configuration)
        let bytes: [UInt8]
        do {
            bytes = try NetworkTransfer().post(url: endpoint, body: body, contentType: "application/json",
                                            options: .init(proxy: proxy, caFile: connection.caFile, allowedProtocols: "https"))
        } catch {
            let advised = withProxyAdvice(error.withTransferRemedy(), proxy: proxy)
            throw TransferClock(layout: layout, clock: clock).explained(
                advised.reported(as: advised.code, "No evaluation license could be obtained from \(endpoint)",
                                 remedy: (advised.remedy ?? "") + ". The request stays in /license/fetch.req for a retry"))
        }
        let candidate = LicenseImport.Candidate(
            source: endpoint, preferredName: FileName("\(NetworkImport.evaluationProduct(generation))-evaluation.lic")) {
            .success(bytes)
        }
        return try LicenseImport(layout: layout, clock: clock)
            .run([candidate], options: .init(replace: false, clearsRequest: true, action: "activate"))
    }

    /// The request file: `{"product","requestTime","unitId"}`, written atomically under the lock.
    func writeRequestFile(unit: UnitID, generation: OSGeneration) throws(AgentError) {
        var change = LicenseStore.Change()
        change.writeRequest = JSONOutput.encode(RequestFile(unitId: unit.description, requestTime: clock.description,
                                                            product: NetworkImport.evaluationProduct(generation)))
        _ = try WriterLock.withLock(layout: layout, purpose: "activate") { lock throws(AgentError) in
            try LicenseStore(layout: layout, lock: lock).apply(change)
        }
    }

    /// `WE-E` (Workspace Edition Evaluation) on OS 11, `PAS` on OS 12.
    static func evaluationProduct(_ generation: OSGeneration) -> String {
        generation == .os11 ? "WE-E" : "PAS"
    }

    private func effectiveProxy(_ connection: Connection, _ configuration: DeviceConfiguration) -> String? {
        (connection.proxy ?? configuration.agentSettings["proxy"]).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Adds to a network failure whether a proxy was used and how to set one.
    /// A `file:` URL that could not be read: the network helper reads it as its own user, not
    /// as root (CLI.md `fetch`).
    private func withFileAdvice(_ error: AgentError) -> AgentError {
        guard error.code == .network else { return error }
        return error.reported(as: error.code, error.summary, remedy: "file: URLs are read as the unprivileged user \(NetworkTransfer.helperUser), not as root; to install a file only root can read, use `license-agent import FILE`")
    }

    private func withProxyAdvice(_ error: AgentError, proxy: String?) -> AgentError {
        guard error.code == .network else { return error }
        let advice = proxy.map { "The proxy \($0) was used; check it, or change proxy= in /etc/license-agent/agent.conf or pass --proxy URL" }
            ?? "No proxy is configured; if this network needs one, set proxy= in /etc/license-agent/agent.conf or pass --proxy URL"
        return error.reported(as: error.code, error.summary, remedy: [error.remedy, advice].compactMap { $0 }.joined(separator: ". "))
    }

    /// The last component of `url`'s decoded path (`%2D` is `-`, as libcurl reads it), or
    /// `license.lic` when it has none or `URLParts` declines the URL; `LicenseStore` makes it
    /// safe before it names a file.
    static func fileName(of url: String) -> String {
        URLParts(url)?.fileName ?? "license.lic"
    }
}

/// `POST /v1/evaluation`'s body (CLI.md "Imports").
struct ActivationBody: Encodable {
    let unitId: String
    let email: String
    let name: String
    let company: String
    let osGeneration: Int
    let termsAccepted: Bool
}

/// `/license/fetch.req`'s content.
struct RequestFile: Encodable {
    let unitId: String
    let requestTime: String
    let product: String
}
