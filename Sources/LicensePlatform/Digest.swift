internal import COpenSSL
import LicensePolicy

/// SHA-256 of bytes through libcrypto's one-shot `EVP_Digest`, as lowercase hex.
///
/// Used to prove that a frozen settings snapshot is intact and to notice a settings file
/// changed behind the agent's back. The one-shot call allocates no object that outlives
/// it, so there is nothing to wrap in a class here.
public enum Digest {
    public static func sha256Hex(_ bytes: [UInt8]) throws(AgentError) -> String {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let succeeded = bytes.withUnsafeBytes { input in
            output.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress, &length, EVP_sha256(), nil)
            }
        }
        guard succeeded == 1, length == 32 else {
            throw AgentError(.crypto, "Cannot compute a SHA-256 digest", cause: .openSSL(OpenSSLErrorQueue.drain()))
        }
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in output[0..<32] {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The digest of `bytes` with the algorithm libcrypto calls `name` ("SHA256", "SHA1", …);
    /// nil when there is no such digest. For the fast path's differential checks, which
    /// re-sign mutated licenses; public because the fuzz targets are a package of their own.
    public static func bytes(of bytes: [UInt8], algorithm name: String) -> [UInt8]? {
        LibCrypto.initialize()
        guard let algorithm = EVP_MD_fetch(nil, name, nil) else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        defer { EVP_MD_free(algorithm) }
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_Digest(bytes, bytes.count, &output, &length, algorithm, nil) == 1 else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        return Array(output.prefix(Int(length)))
    }
}
