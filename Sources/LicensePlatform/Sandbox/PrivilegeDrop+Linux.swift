internal import CSandbox
import LicensePolicy
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The network helper's change of identity: from root to a system user that owns nothing on
/// the device, for good. Real, effective and saved IDs all change, supplementary groups are
/// dropped, and each is read back, so that a drop the kernel did not make is an error rather
/// than a helper that still runs as root.
public enum PrivilegeDrop {
    /// The account a dropped helper runs as.
    public struct Account: Sendable, Equatable {
        public let name: String
        public let uid: UInt32
        public let gid: UInt32
    }

    /// Becomes the first of `names` that exists (the package's `license-agent`, else
    /// `nobody`), then forbids gaining privileges again (`PR_SET_NO_NEW_PRIVS`). A process
    /// that is not root keeps its user (it has nothing to drop) but still sets the flag.
    /// Returns the account the process now runs as.
    @discardableResult
    public static func drop(toFirstOf names: [String]) throws(AgentError) -> Account {
        if geteuid() == 0 {
            guard let account = names.lazy.compactMap(lookUp).first else {
                throw AgentError(.io, "None of the users \(names.joined(separator: ", ")) exists to run network transfers as",
                                 remedy: "Reinstall the license-agent package (it creates the user license-agent)")
            }
            try become(account)
        }
        try nothingOrErrno("prctl") { sandbox_set_no_new_privs() }
            .orThrow(.io, "Cannot forbid the network helper to gain privileges", path: nil)
        // No core file and no ptrace by the account's other processes.
        _ = sandbox_set_not_dumpable()
        return try current()
    }

    /// The account the process runs as, checked to be one and the same in every ID and to
    /// hold no capability.
    public static func current() throws(AgentError) -> Account {
        var uids = (uid_t(0), uid_t(0), uid_t(0))
        var gids = (gid_t(0), gid_t(0), gid_t(0))
        guard sandbox_getresuid(&uids.0, &uids.1, &uids.2) == 0, sandbox_getresgid(&gids.0, &gids.1, &gids.2) == 0,
              uids.0 == uids.1, uids.1 == uids.2, gids.0 == gids.1, gids.1 == gids.2, uids.0 != 0 else {
            throw AgentError(.io, "The network helper did not lose root's identity")
        }
        guard getgroups(0, nil) == 0, sandbox_holds_no_capabilities() == 1 else {
            throw AgentError(.io, "The network helper kept a group or a capability of root")
        }
        let name = lookUp(uid: uids.0) ?? String(uids.0)
        return Account(name: name, uid: uids.0, gid: gids.0)
    }

    private static func become(_ account: Account) throws(AgentError) {
        let failure = "Cannot change the network helper to the user \(account.name)"
        try nothingOrErrno("setgroups") { sandbox_drop_supplementary_groups() }.orThrow(.io, failure, path: nil)
        try nothingOrErrno("setresgid") { sandbox_setresgid(account.gid, account.gid, account.gid) }.orThrow(.io, failure, path: nil)
        try nothingOrErrno("setresuid") { sandbox_setresuid(account.uid, account.uid, account.uid) }.orThrow(.io, failure, path: nil)
    }

    /// The account named `name`, unless it is root's.
    static func lookUp(_ name: String) -> Account? {
        withPasswordEntry({ entry, buffer, size, result in getpwnam_r(name, entry, buffer, size, result) })
    }

    static func lookUp(uid: uid_t) -> String? {
        withPasswordEntry({ entry, buffer, size, result in getpwuid_r(uid, entry, buffer, size, result) })?.name
    }

    private static func withPasswordEntry(
        _ query: (UnsafeMutablePointer<passwd>, UnsafeMutablePointer<CChar>, Int, UnsafeMutablePointer<UnsafeMutablePointer<passwd>?>) -> Int32
    ) -> Account? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 4096) { buffer -> Account? in
            guard let base = buffer.baseAddress, query(&entry, base, buffer.count, &result) == 0, result != nil,
                  entry.pw_uid != 0, let name = entry.pw_name else { return nil }
            return Account(name: String(cString: name), uid: entry.pw_uid, gid: entry.pw_gid)
        }
    }
}
