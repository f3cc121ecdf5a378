@testable import LicensePlatform
import FuzzDriver
import Glibc
import LicensePolicy

/// A keyring proven readable without OpenSSL is one OpenSSL reads, whatever the public keys
/// in it: fuzzed.
///
/// `TrustAnchors` defers decoding the keyring (and, with it, every certificate's public key
/// through OpenSSL's provider decoder framework) when `StrictKeyring` proves the layout
/// readable. That is exact only if OpenSSL reads every certificate such a keyring holds, and
/// the same bytes: whatever `StrictKeyring` accepts, `PEM_read_bio_X509_AUX` must accept too,
/// with the same DER, or this target aborts (a finding, kept by libFuzzer). The key is the
/// part `StrictCertificate` does not look at, so most inputs aim at it.
///
/// The first input byte picks how the rest is read:
/// - 0: a keyring text, as it is;
/// - 1: one certificate's DER, put in a `CERTIFICATE` block;
/// - 2: a SubjectPublicKeyInfo's DER, put into a certificate made at start-up (P-256 root of
///   a throwaway PKI) in place of its own key, then in a block. The signature no longer
///   matches, which reading does not check.
/// Seeds (`Fuzz/make-seeds`): keyrings, certificates and keys made by the `openssl` CLI — RSA
/// of 2048 to 4096 bits with exponents 3 and 65537, P-256/384/521, a compressed point,
/// explicit curve parameters, curves and key types the agent does not use.
struct Harness {
    let base: [UInt8]

    init() throws {
        base = try ThrowawayPKI(algorithm: .p256).root.der
    }

    func run(_ input: [UInt8]) {
        guard let mode = input.first else { return }
        let rest = Array(input.dropFirst())
        let keyring: [UInt8]
        switch mode % 3 {
        case 0: keyring = rest
        case 1: keyring = Self.pem(rest)
        default:
            guard let certificate = Self.replacingKey(of: base, with: rest) else { return }
            keyring = Self.pem(certificate)
        }
        guard let proven = StrictKeyring.certificates(keyring) else { return }
        let read: [[UInt8]]
        do {
            read = try X509Certificate.certificates(pem: keyring, code: .keyringUnusable, path: nil).map(\.der)
        } catch {
            print("FINDING: StrictKeyring accepts a keyring OpenSSL refuses: \(error.sentence)")
            abort()
        }
        guard read == proven else {
            print("FINDING: OpenSSL reads \(read.count) certificate(s), StrictKeyring \(proven.count), or other bytes")
            abort()
        }
    }

    /// `certificate` with its SubjectPublicKeyInfo replaced by `key` (any bytes); nil when
    /// the base does not have the expected shape.
    static func replacingKey(of certificate: [UInt8], with key: [UInt8]) -> [UInt8]? {
        var outer = StrictDER(certificate)
        guard let whole = outer.next(), var parts = outer.children(of: whole),
              let tbs = parts.next(), var fields = parts.children(of: tbs)
        else { return nil }
        var elements: [StrictDER.Element] = []
        while let element = fields.next() { elements.append(element) }
        let index = elements.first?.tag == StrictDER.contextConstructed0 ? 6 : 5
        guard elements.count > index else { return nil }
        let spki = elements[index].range
        let content = Array(certificate[tbs.content.lowerBound..<spki.lowerBound]) + key
            + Array(certificate[spki.upperBound..<tbs.content.upperBound])
        return tlv(0x30, tlv(0x30, content) + Array(certificate[tbs.range.upperBound..<whole.content.upperBound]))
    }

    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        let count = content.count
        let length: [UInt8]
        switch count {
        case ..<0x80: length = [UInt8(count)]
        case ..<0x100: length = [0x81, UInt8(count)]
        case ..<0x10000: length = [0x82, UInt8(count >> 8), UInt8(count & 0xFF)]
        default: length = [0x83, UInt8(count >> 16), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)]
        }
        return [tag] + length + content
    }

    /// `der` in a `CERTIFICATE` block as `PEM_write_bio_X509` writes it.
    static func pem(_ der: [UInt8]) -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var text: [UInt8] = []
        var index = 0
        while index < der.count {
            let chunk = Array(der[index..<min(index + 3, der.count)])
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<4 {
                text.append(position <= chunk.count ? alphabet[Int(value >> (18 - 6 * UInt32(position)) & 0x3F)] : UInt8(ascii: "="))
            }
            index += 3
        }
        var block = Array("-----BEGIN CERTIFICATE-----\n".utf8)
        var line = 0
        while line < text.count {
            block += text[line..<min(line + 64, text.count)] + [UInt8(ascii: "\n")]
            line += 64
        }
        return block + Array("-----END CERTIFICATE-----\n".utf8)
    }
}

let harness: Harness = {
    do { return try Harness() } catch { fatalError("cannot set up the public key harness: \(error)") }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPublicKeyDifferential(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    harness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

runFuzzer(fuzzPublicKeyDifferential)
