/// The two parts of a URL the root process names without libcurl, whose parser runs only in
/// the network helper: the host (audit lines) and the last component of the decoded path (the
/// name a download is installed under).
///
/// It reads the plain URLs that UMS links, license portals and administrators write, and
/// declines (nil) everything else — spaces, bytes outside printable ASCII, IPv6 literals,
/// dot segments, numeric hosts libcurl would rewrite, malformed escapes — rather than guess
/// what libcurl would make of it. Callers fall back as they did when libcurl refused a URL
/// (no host in the line, `license.lic`). For every URL it reads, the parts equal libcurl's
/// (`CurlURL`): a differential test and a fuzz target hold it to that.
public struct URLParts: Sendable, Equatable {
    /// The host as written (nil for a `file:` URL without one).
    public let host: String?
    /// The last component of the percent-decoded path; nil when the path ends in `/` or
    /// decodes to a control character.
    public let fileName: String?

    public init?(_ url: String) {
        let bytes = Array(url.utf8)
        guard !bytes.isEmpty, bytes.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\\") }),
              let schemeEnd = URLParts.schemeEnd(bytes) else { return nil }
        let scheme = String(decoding: bytes[..<schemeEnd], as: UTF8.self).lowercased()
        var rest = bytes[(schemeEnd + 3)...]
        if let cut = rest.firstIndex(where: { $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "?") }) { rest = rest[..<cut] }
        let slash = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        let authority = rest[..<slash]
        let path = rest[slash...]
        if scheme == "file" {
            // libcurl drops a `localhost` authority and refuses others: only `file:///path` is read here.
            // Nor a Windows drive letter (`file:///c:/…`), which libcurl refuses on Linux.
            guard authority.isEmpty, !path.isEmpty, !URLParts.startsWithDriveLetter(path) else { return nil }
            host = nil
        } else {
            guard let parsed = URLParts.host(of: authority) else { return nil }
            host = parsed
        }
        guard let decoded = URLParts.decoded(path) else { return nil }
        let last = decoded.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).last ?? []
        // libcurl does not decode a path with a control character in it (REJECT_CTRL).
        if last.isEmpty || decoded.contains(where: { $0 < 0x20 }) {
            fileName = nil
        } else {
            guard let name = String(validating: last, as: UTF8.self) else { return nil }
            fileName = name
        }
    }

    /// Where `scheme` ends before `://`; nil when the URL does not start with one.
    private static func schemeEnd(_ bytes: [UInt8]) -> Int? {
        guard let first = bytes.first, isLetter(first) else { return nil }
        var index = 1
        while index < bytes.count, isLetter(bytes[index]) || isDigit(bytes[index]) || "+-.".utf8.contains(bytes[index]) {
            index += 1
        }
        // libcurl reads at most 39 characters as a scheme; real ones are short.
        guard index <= 32, bytes[index...].starts(with: "://".utf8) else { return nil }
        return index
    }

    /// The host of `[user[:password]@]host[:port]`: a DNS name of letters, digits, `-` and `.`,
    /// or a dotted IPv4 address in its plain form; nil for anything else.
    private static func host(of authority: ArraySlice<UInt8>) -> String? {
        let ats = authority.indices.filter { authority[$0] == UInt8(ascii: "@") }
        guard ats.count <= 1 else { return nil }
        var hostPort = authority
        if let at = ats.first {
            let userInfo = authority[..<at]
            guard !userInfo.contains(UInt8(ascii: "%")), !userInfo.isEmpty else { return nil }
            hostPort = authority[(at + 1)...]
        }
        var hostBytes = hostPort
        if let colon = hostPort.firstIndex(of: UInt8(ascii: ":")) {
            let port = hostPort[(colon + 1)...]
            guard !port.isEmpty, port.count <= 5, port.allSatisfy(isDigit), port.first != UInt8(ascii: "0"),
                  let number = Int(String(decoding: port, as: UTF8.self)), number <= 65535 else { return nil }
            hostBytes = hostPort[..<colon]
        }
        guard !hostBytes.isEmpty, hostBytes.count <= 253,
              hostBytes.allSatisfy({ isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }),
              hostBytes.first != UInt8(ascii: "."), hostBytes.last != UInt8(ascii: "."),
              !hostBytes.contains(where: { isLetter($0) && $0 < UInt8(ascii: "a") }) else { return nil }
        let labels = hostBytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.allSatisfy({ !$0.isEmpty }) else { return nil }
        // A host whose last label starts with a digit is an IPv4 address to libcurl, which
        // rewrites every form but the plain dotted quad.
        if let last = labels.last, let digit = last.first, isDigit(digit) {
            guard labels.count == 4, labels.allSatisfy({ label in
                label.count <= 3 && label.allSatisfy(isDigit) && (label.count == 1 || label.first != UInt8(ascii: "0"))
                    && Int(String(decoding: label, as: UTF8.self))! <= 255
            }) else { return nil }
        }
        return String(decoding: hostBytes, as: UTF8.self)
    }

    /// The percent-decoded path; nil when it has dot segments (libcurl removes them) or an
    /// escape that is not `%` and two hex digits.
    private static func decoded(_ path: ArraySlice<UInt8>) -> [UInt8]? {
        let segments = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard !segments.contains(where: { $0.elementsEqual(".".utf8) || $0.elementsEqual("..".utf8) }) else { return nil }
        var result: [UInt8] = []
        var index = path.startIndex
        while index < path.endIndex {
            let byte = path[index]
            guard byte == UInt8(ascii: "%") else {
                result.append(byte)
                index += 1
                continue
            }
            guard index + 2 < path.endIndex, let high = hexValue(path[index + 1]), let low = hexValue(path[index + 2]) else {
                return nil
            }
            result.append(high << 4 | low)
            index += 3
        }
        return result
    }

    /// `/X:` or `/X|`, X a letter.
    private static func startsWithDriveLetter(_ path: ArraySlice<UInt8>) -> Bool {
        let start = path.startIndex
        return path.count >= 3 && isLetter(path[start + 1]) && (path[start + 2] == UInt8(ascii: ":") || path[start + 2] == UInt8(ascii: "|"))
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
