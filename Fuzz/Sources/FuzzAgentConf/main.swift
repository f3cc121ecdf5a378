import FuzzDriver
import LicensePolicy

/// The agent's own configuration (`/etc/license-agent/agent.conf`): the same grammar as the
/// settings, and the values the agent reads from it (the OS generation override).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAgentConf(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let settings = Settings(parsing: Array(UnsafeBufferPointer(start: data, count: size)))
    _ = OSGeneration.resolve(osRelease: nil, configured: settings["os_generation"])
    _ = (settings["proxy"], settings["server_url"])
    return 0
}

runFuzzer(fuzzAgentConf)
