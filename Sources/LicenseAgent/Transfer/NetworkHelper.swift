import LicensePlatform
import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The network helper: `license-agent` started again by `NetworkTransfer` with the internal
/// command `NetworkHelper.command` (not a subcommand, not in `--help`). It confines itself
/// before it touches the network — another user (`NetworkHelperSandbox`), no capabilities, no
/// new privileges, resource limits, a system-call filter — then reads one `TransferRequest`
/// from stdin, carries it out with libcurl, writes one answer to stdout and exits.
///
/// Whatever goes wrong, including the confinement itself, becomes the answer; the helper
/// never touches the network unconfined.
public enum NetworkHelper {
    /// The internal command that makes `license-agent` the helper.
    public static let command = "__network-helper"

    /// Room in an answer for everything but the body: status, validators, an error's words.
    static let answerOverhead = 64 << 10

    /// The largest request read: a POST body and two CA bundles.
    static let maximumRequest = 4 << 20

    /// Runs the helper and exits the process.
    public static func serve() -> Never {
        let answer: Result<TransferResponse, AgentError>
        do {
            let transfer = try NetworkHelperSandbox.enter()
            let request = try readRequest()
            answer = .success(try transfer.perform(request))
        } catch {
            answer = .failure(error)
        }
        let bytes = TransferWire.encode(answer)
        let written = try? FileDescriptor.standardOutput.writeAll(bytes)
        exit(written == bytes.count ? 0 : 1)
    }

    /// The request on stdin, whole.
    private static func readRequest() throws(AgentError) -> TransferRequest {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count: Int
            do {
                count = try chunk.withUnsafeMutableBytes { try FileDescriptor.standardInput.read(into: $0) }
            } catch {
                throw AgentError(.io, "The network helper could not read its request", cause: .system(error as? Errno ?? .ioError))
            }
            if count == 0 { break }
            bytes += chunk[..<count]
            guard bytes.count <= maximumRequest else {
                throw AgentError(.invalidData, "The network helper's request is larger than \(maximumRequest) bytes")
            }
        }
        guard let request = TransferWire.decodeRequest(bytes) else {
            throw AgentError(.invalidData, "The network helper's request is malformed")
        }
        return request
    }
}
