import FoundationEssentials
import LicensePlatform
import LicensePolicy

/// The question a registered but unlicensed device asks its UMS (DELIVERY.md step 3):
/// `GET {server}/v1/devices/{unitId}/license`. `200` with `{"downloadUrl": "…"}` names the
/// link to download; `204` means nothing yet; anything else is an error that carries the
/// status and the first line of the body.
struct UMSLicensePoll {
    let server: String
    let unit: UnitID
    let options: NetworkTransfer.Options

    /// The poll's URL: the server without a trailing `/`, and the unit ID percent-encoded
    /// (a UD Pocket's `#` would otherwise start a fragment).
    var endpoint: String {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/v1/devices/" + URLText.percentEncoded(unit.value) + "/license"
    }

    /// The download link the UMS names, or nil when it has no license for this unit yet.
    func ask() throws(AgentError) -> String? {
        let shown = Credentials.redacted(endpoint)
        let response = try NetworkTransfer().get(url: endpoint, headers: ["Accept: application/json"], options: options)
        switch response.status {
        case 204:
            return nil
        case 200:
            guard let answer = try? JSONDecoder().decode(Answer.self, from: Data(response.body)),
                  !answer.downloadUrl.isEmpty else {
                throw AgentError(.invalidData, "The management server's answer to \(shown) is not JSON with a downloadUrl",
                                 cause: .text(response.firstBodyLine),
                                 remedy: "Check the UMS version and its license deployment settings")
            }
            return absolute(answer.downloadUrl)
        default:
            let status = response.status.map { "HTTP \($0)" } ?? "no HTTP status"
            let body = response.firstBodyLine
            throw AgentError(.network, "The management server answered the license poll \(shown) with \(status)",
                             cause: body.isEmpty ? nil : .text(body),
                             remedy: "Check system.remotemanager.server in the device settings and the UMS; the next run asks again")
        }
    }

    /// A link given as a path (`/ums/licenses/…`) is on the server itself.
    func absolute(_ link: String) -> String {
        guard link.hasPrefix("/"), !link.hasPrefix("//"), URLText.scheme(of: link) == nil else { return link }
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        if let scheme = base.firstRange(of: "://"),
           let pathStart = base[scheme.upperBound...].firstIndex(of: "/") {
            base = String(base[..<pathStart])
        }
        return base + link
    }

    struct Answer: Decodable {
        let downloadUrl: String
    }
}
