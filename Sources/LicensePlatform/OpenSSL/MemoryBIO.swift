internal import COpenSSL
import LicensePolicy

/// An in-memory libcrypto `BIO`: the way bytes go into and come out of PEM, DER and CMS calls.
///
/// The bytes are copied in, so the BIO never points into Swift-managed memory.
final class MemoryBIO {
    let pointer: OpaquePointer

    /// An empty, writable BIO.
    init() throws(AgentError) {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not allocate an OpenSSL memory buffer")
        }
        pointer = bio
    }

    /// A BIO holding a copy of `bytes`, ready to be read.
    convenience init(bytes: [UInt8]) throws(AgentError) {
        try self.init()
        if bytes.isEmpty { return }
        let written = bytes.withUnsafeBytes { buffer in
            BIO_write(pointer, buffer.baseAddress, Int32(buffer.count))
        }
        guard written == Int32(bytes.count) else {
            throw OpenSSLErrorQueue.error(.crypto, "Could not fill an OpenSSL memory buffer")
        }
    }

    deinit { BIO_free(pointer) }

    /// Everything written to the BIO and not yet read.
    var bytes: [UInt8] {
        var data: UnsafeMutablePointer<CChar>?
        let count = openssl_shim_bio_get_mem_data(pointer, &data)
        guard count > 0, let data else { return [] }
        return data.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
    }

    /// The contents as text (PEM, names printed by OpenSSL).
    var text: String { String(decoding: bytes, as: UTF8.self) }
}
