internal import COpenSSL

/// A message digest implementation (libcrypto `EVP_MD`), fetched once by name so that each
/// use does not look it up again (OpenSSL 3 "explicit fetching"). Released in deinit.
final class MessageDigest {
    let pointer: OpaquePointer
    let algorithm: SignedDataLayout.DigestAlgorithm

    init?(_ algorithm: SignedDataLayout.DigestAlgorithm) {
        self.algorithm = algorithm
        guard let fetched = EVP_MD_fetch(nil, algorithm.name, nil) else {
            OpenSSLErrorQueue.clear()
            return nil
        }
        pointer = fetched
    }

    deinit { EVP_MD_free(pointer) }

    /// True when the digest of `bytes[range]` is exactly `bytes[expected]`.
    func digest(of range: Range<Int>, in bytes: [UInt8], equals expected: Range<Int>) -> Bool {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let succeeded = bytes.withUnsafeBytes { buffer in
            output.withUnsafeMutableBufferPointer { out in
                EVP_Digest(buffer.baseAddress.map { $0 + range.lowerBound }, range.count, out.baseAddress, &length,
                           pointer, nil)
            }
        }
        guard succeeded == 1 else { return false }
        return Int(length) == expected.count && output[0..<Int(length)].elementsEqual(bytes[expected])
    }
}
