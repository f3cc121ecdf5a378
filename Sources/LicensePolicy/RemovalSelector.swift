/// What a removal profile (or `remove`) takes off the device (PROFILES.md).
///
/// - `all`: every installed `.lic` file, verified or not, and every `fetch*` request file:
///   the rescue-shell `rm /license/fetch*; rm /license/dsa/licenses/*.lic`.
/// - `evaluation`: verified licenses with model `evaluation` or product `WE-E`.
/// - `product:CODE`: verified licenses of product pack `CODE` (e.g. `EMP`, `PAS`).
///
/// Only `all` touches a file that could not be verified or parsed: a selector that is about
/// a product cannot know what product an unreadable file is, so it leaves it alone.
public enum RemovalSelector: Sendable, Hashable, CustomStringConvertible {
    case all
    case evaluation
    case product(String)

    /// The product code of an evaluation license that may carry another model.
    public static let evaluationProduct = "WE-E"
    /// Longest product code accepted in `product:CODE`.
    public static let maximumProductCodeLength = 32

    /// Why a selector text was refused, in words for the administrator.
    public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// Parses `all`, `evaluation` or `product:CODE`. Exact spelling: lower-case keywords,
    /// an upper-case code of letters, digits and `-`, no spaces.
    public init(parsing text: String) throws(Rejection) {
        switch text {
        case "all": self = .all
        case "evaluation": self = .evaluation
        default:
            guard text.hasPrefix("product:") else {
                throw Rejection(reason: "unknown selector `\(text)`; use `all`, `evaluation` or `product:CODE` (e.g. `product:EMP`)")
            }
            let code = String(text.dropFirst("product:".count))
            guard !code.isEmpty else {
                throw Rejection(reason: "`product:` needs a product code, e.g. `product:EMP`")
            }
            guard code.count <= RemovalSelector.maximumProductCodeLength,
                  code.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }),
                  code.first != "-" else {
                throw Rejection(reason: "`\(code)` is not a product code: use upper-case letters, digits and `-` (at most \(RemovalSelector.maximumProductCodeLength)), e.g. `product:EMP`")
            }
            self = .product(code)
        }
    }

    /// The selector as written in a profile: `all`, `evaluation`, `product:CODE`.
    public var description: String {
        switch self {
        case .all: return "all"
        case .evaluation: return "evaluation"
        case .product(let code): return "product:\(code)"
        }
    }

    /// A sentence fragment for people: what the selector removes.
    public var explanation: String {
        switch self {
        case .all: return "every installed license file and every license request file"
        case .evaluation: return "verified evaluation licenses (model evaluation or product \(RemovalSelector.evaluationProduct))"
        case .product(let code): return "verified licenses of product \(code)"
        }
    }

    /// Whether the installed license file whose verified document is `document` (nil when it
    /// could not be verified or parsed) is removed.
    public func matches(_ document: LicenseDocument?) -> Bool {
        switch self {
        case .all:
            return true
        case .evaluation:
            guard let document else { return false }
            return document.model == .evaluation || document.product == RemovalSelector.evaluationProduct
        case .product(let code):
            guard let document else { return false }
            return document.product == code
        }
    }

    /// Whether the `fetch*` request files at the top of `/license` go too.
    public var removesRequestFiles: Bool { self == .all }
}
