import LicensePlatform
import LicensePolicy

extension AgentError {
    /// This transfer failure with what to do about it, for the failures `CurlTransfer` leaves
    /// to its caller: only the agent knows that every transfer carries a license (or a
    /// server's short answer about one), that libcurl comes from a package, and that the
    /// extra CA file is the device settings' `ums_ca`. Every network path (`fetch`,
    /// `activate`, `deploy`'s download and poll) passes its transfer failures through here
    /// first; any other error is returned as it is.
    func withTransferRemedy() -> AgentError {
        let remedy: String
        switch failure {
        case .libcurlMissing?:
            remedy = "Install the libcurl4 package"
        case .bodyOverLimit?:
            remedy = "A license file is never that large; check the URL"
        case .extraCAFileMissing?:
            remedy = "Fix \(DeliverySettings.umsCAKey) in the device settings, or remove it to trust the system store only"
        default:
            return self
        }
        return reported(as: code, summary, remedy: remedy)
    }
}
