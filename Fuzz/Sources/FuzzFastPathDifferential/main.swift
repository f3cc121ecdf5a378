import FuzzDriver
import Glibc
import LicenseMutation
import LicensePlatform
import LicensePolicy

/// The fast path never proves what the full path refuses, fuzzed: it may only ever agree.
///
/// At start-up: three throwaway PKIs made in-process (P-256, P-384, RSA-2048; each root in one
/// keyring), six licenses signed by them as the vendor does (PEM and DER; some carry the root
/// too, so that certificate order can change), checked once by a verifier that thereby
/// learns their chains. Each input is a mutation program: its first two bytes pick a base
/// license, the rest steer `LicenseMutator` (bit flips, truncations, ASN.1-aware edits,
/// re-signing with the base's key). Whenever the fast path proves the mutated file, the
/// uncached full path must say `verified` with the same document and signer; otherwise the
/// target aborts (a finding, kept by libFuzzer).
///
/// Replaying an input (`.build-fuzz/debug/FuzzFastPathDifferential FILE`) makes new keys, so
/// it reproduces the same edits, not the same signature bytes.
struct Harness {
    let bases: [(bytes: [UInt8], mutator: LicenseMutator)]
    let primed: CMSLicenseVerifier
    let reference: CMSLicenseVerifier

    init() throws {
        var template = Array("/tmp/fuzz-fastpath-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            fatalError("cannot make a temporary directory")
        }
        let directory = String(cString: made)
        let now = Timestamp(secondsSinceEpoch: Int64(time(nil)))
        var keyring: [UInt8] = []
        var bases: [([UInt8], PrivateKey, [UInt8])] = []
        var certificates: [[UInt8]] = []
        for (index, algorithm) in [PrivateKey.Algorithm.p256, .p384, .rsa2048].enumerated() {
            let pki = try ThrowawayPKI(algorithm: algorithm)
            keyring += try pki.root.pem()
            certificates.append(pki.signer.der)
            for (variant, encoding) in [CMSLicenseSigner.Encoding.pem, .der].enumerated() {
                let carried = variant == 1 ? [pki.root] : []
                let signer = CMSLicenseSigner(certificate: pki.signer, key: pki.signerKey, chain: carried)
                let issued = now.adding(seconds: -86_400 * Int64(1 + index + variant))
                let document = "{\"format\":1,\"licenseId\":\"FUZZ-\(index)-\(variant)\",\"issued\":\"\(issued)\",\"product\":\"PAS\","
                    + "\"model\":\"subscription\",\"packId\":\"PAS-F\(index)\",\"starts\":\"2026-01-01\",\"expires\":\"2030-12-31\","
                    + "\"units\":[\"00E0C51C5087\"]}"
                bases.append((try signer.sign(Array(document.utf8), encoding: encoding), pki.signerKey, pki.signer.der))
            }
        }
        try DurableFile.write(keyring, to: directory + "/keyring.pem")
        primed = try CMSLicenseVerifier(keyringPath: directory + "/keyring.pem", crlPath: nil)
        reference = try CMSLicenseVerifier.uncachedFullPath(keyringPath: directory + "/keyring.pem", crlPath: nil)
        try DurableFile.remove(directory + "/keyring.pem")
        rmdir(directory)
        self.bases = bases.map { base in
            let others = certificates.filter { $0 != base.2 }
            guard let mutator = LicenseMutator(license: base.0, keys: Keys(key: base.1), otherCertificates: others) else {
                fatalError("a base license does not parse")
            }
            return (base.0, mutator)
        }
        for base in self.bases {
            guard case .verified = primed.check(base.bytes), primed.fastPathAnswer(base.bytes) != nil else {
                fatalError("a base license is not verified and proven")
            }
        }
    }

    func run(_ input: [UInt8]) {
        var entropy = ByteEntropy(input)
        let base = bases[entropy.below(bases.count)]
        let mutation = base.mutator.mutate(using: &entropy)
        guard case .verified(let proven, let provenSigner)? = primed.fastPathAnswer(mutation.bytes) else { return }
        let full = reference.check(mutation.bytes)
        if case .verified(let document, let signer) = full, document == proven, signer == provenSigner { return }
        print("FINDING: the fast path proved a file the full path answers \(full)")
        print("edits: \(mutation.steps.joined(separator: "; "))")
        abort()
    }
}

struct Keys: MutationKeys {
    let key: PrivateKey
    func digest(_ bytes: [UInt8], algorithm: String) -> [UInt8]? { Digest.bytes(of: bytes, algorithm: algorithm) }
    func sign(_ bytes: [UInt8], algorithm: String) -> [UInt8]? { try? key.signature(over: bytes, digest: algorithm) }
}

nonisolated(unsafe) let harness: Harness = {
    do { return try Harness() } catch { fatalError("cannot set up the fast path harness: \(error)") }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFastPathDifferential(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    harness.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

runFuzzer(fuzzFastPathDifferential)
