import Foundation
import LicenseMutation
import LicensePlatform
import LicensePolicy
import TestSupport
import Testing

/// The fast path never accepts more than the full path: thousands of
/// mutations of valid licenses — bit flips, truncations, ASN.1-aware edits of lengths,
/// tags, attributes, algorithm identifiers, versions, content, certificate order,
/// duplicates, PEM armour, many of them re-signed so that they get past the signature — and
/// for every one the fast path proves, the uncached `CMS_verify` path must say `verified`
/// with the same document and signer.
///
/// Deterministic: the edits come from a fixed seed (only ECDSA signature bytes differ from
/// run to run). The same engine drives the fuzz target `FuzzFastPathDifferential`.
@Suite struct FastPathDifferentialTests {
    static let seed: UInt64 = 0x1CE0_2026_1130_0010
    static let mutations = 3000

    /// A base license: signed by `openssl cms -sign` with `signer`, and its key for re-signing.
    struct Base {
        let bytes: [UInt8]
        let mutator: LicenseMutator
    }

    @Test func fastPathNeverProvesWhatTheFullPathRefuses() throws {
        let pki = try TestPKI.shared()
        let primed = try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: pki.crlPath)
        let reference = try CMSLicenseVerifier(keyringPath: pki.keyringPath, crlPath: pki.crlPath,
                                               fastPath: false, cachesChains: false)
        let fastPath = try #require(primed.fastPath)
        let bases = try Self.bases(pki)
        for base in bases {
            expectVerified(primed.check(base.bytes), "a base license must verify")
        }
        // Every base is now provable, and proven as the full path verifies it.
        for base in bases {
            let proof = try #require(fastPath.check(base.bytes)?.proof, "the fast path must prove an unchanged base license")
            #expect(reference.check(base.bytes).proof == proof)
        }

        var entropy = SeededEntropy(seed: Self.seed)
        var proven = 0, provenAfterChange = 0, fullOnly = 0, refused = 0
        for index in 0..<Self.mutations {
            let base = entropy.pick(bases)
            let mutation = base.mutator.mutate(using: &entropy)
            let full = reference.check(mutation.bytes)
            guard let proof = fastPath.check(mutation.bytes)?.proof else {
                if full.proof != nil { fullOnly += 1 } else { refused += 1 }
                continue
            }
            proven += 1
            if mutation.bytes != base.bytes { provenAfterChange += 1 }
            guard let expected = full.proof, expected == proof else {
                Issue.record("""
                    mutation \(index) was proven by the fast path but the full path answered \(full)
                    edits: \(mutation.steps.joined(separator: "; "))
                    bytes (base64): \(Data(mutation.bytes).base64EncodedString())
                    """)
                continue
            }
        }
        print("fast path differential: \(Self.mutations) mutations; proven by the fast path \(proven) "
              + "(\(provenAfterChange) differing from their base), verified by the full path only \(fullOnly), refused \(refused)")
        // Not vacuous: re-signed edits that keep a license valid (new content, reordered or
        // re-timed attributes, another digest) must reach the fast path's "verified".
        #expect(provenAfterChange >= Self.mutations / 50, "only \(provenAfterChange) changed mutations were proven")
        #expect(fullOnly > 0 && refused > 0)
    }

    /// P-256, P-384 and RSA (through an intermediate, and through a rolled-over intermediate
    /// carried in two copies), PEM and DER, SHA-256/384/512.
    static func bases(_ pki: TestPKI) throws -> [Base] {
        let document = DeviceTree.document(licenseId: "L-DIFF", units: ["00E0C51C5087"], issued: "2026-01-01T00:00:00Z")
        let signed: [(TestPKI.Signer, TestPKI.Format, String)] = [
            (.p256, .pem, "sha256"), (.p256, .der, "sha256"), (.p384, .der, "sha384"),
            (.rsaViaIntermediate, .pem, "sha256"), (.rsaViaIntermediate, .der, "sha512"),
            (.viaRolledOverIntermediate, .pem, "sha256"),
        ]
        var licenses: [(bytes: [UInt8], signer: TestPKI.Signer)] = []
        for (signer, format, digest) in signed {
            licenses.append((Array(try pki.sign(document: document, signer: signer, format: format, digest: digest)), signer))
        }
        let certificates = try [TestPKI.Signer.p256, .p384, .rsaViaIntermediate, .outsider].map {
            try X509Certificate(pem: Array(Data(contentsOf: URL(fileURLWithPath: pki.certificatePath($0))))).der
        }
        return try licenses.map { license in
            let key = try PrivateKey(pem: Array(Data(contentsOf: URL(fileURLWithPath: pki.keyPath(license.signer)))))
            let mutator = try #require(LicenseMutator(license: license.bytes, keys: LibCryptoKeys(key: key),
                                                      otherCertificates: certificates))
            return Base(bytes: license.bytes, mutator: mutator)
        }
    }
}

/// A signer's key and libcrypto's digests, for re-signing mutations.
struct LibCryptoKeys: MutationKeys {
    let key: PrivateKey

    func digest(_ bytes: [UInt8], algorithm: String) -> [UInt8]? { Digest.bytes(of: bytes, algorithm: algorithm) }
    func sign(_ bytes: [UInt8], algorithm: String) -> [UInt8]? { try? key.signature(over: bytes, digest: algorithm) }
}

/// A `.verified` answer in a form that compares: the document and the signer facts.
struct Proof: Equatable {
    let document: LicenseDocument
    let signer: SignerFacts
}

extension SignatureCheck {
    /// The answer when verified, as the fast path gives it.
    var proof: Proof? {
        guard case .verified(let document, let signer) = self else { return nil }
        return Proof(document: document, signer: signer)
    }
}
