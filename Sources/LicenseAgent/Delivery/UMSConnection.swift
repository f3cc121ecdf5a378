import LicensePlatform
import LicensePolicy

/// What every exchange with the device's UMS shares — `deploy`'s poll and download, and
/// `report`: the device settings, read the same way, and the transfer options they give.
struct UMSConnection {
    let layout: DeviceLayout

    /// The device settings, read like every file the agent reads: a symlink, FIFO, directory,
    /// a file over the limit or an I/O error is an error naming the file and what could not be
    /// done for it (`consequence`), never "no server".
    func deviceSettings(_ consequence: String, retry: String) throws(AgentError) -> Settings {
        do {
            return Settings(parsing: try OpenDirectory.open(layout.settingsDirectory)?
                .read(ConfigurationGuard.settingsName, limit: ConfigurationGuard.settingsLimit) ?? [])
        } catch {
            throw error.reported(as: error.code, "Cannot read the device settings, so \(consequence): \(error.summary)",
                                 remedy: "/wfs/group.ini must be a regular file of at most 1 MiB; \(retry)")
        }
    }

    /// The UMS's https trust (the system store plus `ums_ca`), the proxy of the settings or
    /// else of agent.conf, and the protocols a link may use.
    func options(_ delivery: DeliverySettings, configuration: DeviceConfiguration,
                 timeoutSeconds: Int = 30) -> NetworkTransfer.Options {
        NetworkTransfer.Options(
            proxy: (delivery.proxy ?? configuration.agentSettings["proxy"]).flatMap { $0.isEmpty ? nil : $0 },
            extraCAFile: delivery.umsCA.map(layout.path), timeoutSeconds: timeoutSeconds,
            allowedProtocols: LicenseDelivery.linkProtocols)
    }
}
