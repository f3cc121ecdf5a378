/// What the platform layer saw about one network interface: the facts the unit ID rules
/// judge, and nothing else.
///
/// Kept as plain values so the rules (CLI.md "Unit ID") are testable without a device; the
/// libudev code in LicensePlatform fills them in. For an interface the rules skip on its name,
/// link type and parent alone (`UnitIDSelection.isSkippedBeforeBusFacts`), the facts after
/// those are not read: they are then false, nil and the interface's own devpath.
public struct NetworkInterfaceFacts: Sendable, Equatable {
    /// Kernel interface name, e.g. `enp0s31f6`.
    public var name: String
    /// The `address` sysfs attribute as the kernel prints it (`00:e0:c5:1c:50:87`).
    public var address: String
    /// The ARPHRD link type (`type` attribute): 1 Ethernet, 772 loopback; nil when unreadable.
    public var linkType: Int?
    /// False for virtual devices (bridges, veth, tun): no parent device in sysfs.
    public var hasParentDevice: Bool
    /// True when a USB device sits between the interface and the host (a removable dongle).
    public var isUSBAttached: Bool
    /// True for Wi-Fi: a `wireless`/`phy80211` entry, or `DEVTYPE=wlan`.
    public var isWireless: Bool
    /// `addr_assign_type`: 0 permanent, 1 random, 2 stolen, 3 set; nil when unreadable.
    public var addressAssignType: Int?
    /// Where the device sits on its bus (the parent's devpath); the tie-breaker among equals.
    public var busPath: String

    public init(name: String, address: String, linkType: Int?, hasParentDevice: Bool,
                isUSBAttached: Bool, isWireless: Bool, addressAssignType: Int?, busPath: String) {
        self.name = name
        self.address = address
        self.linkType = linkType
        self.hasParentDevice = hasParentDevice
        self.isUSBAttached = isUSBAttached
        self.isWireless = isWireless
        self.addressAssignType = addressAssignType
        self.busPath = busPath
    }
}

/// What the platform layer found out about a UD Pocket: the USB flash device holding
/// `/license`, or why there is none.
public enum PocketFacts: Sendable, Equatable {
    /// `/license` is on `blockDevice`, whose USB device reports `serial` (as read, untrimmed).
    case usbFlash(blockDevice: String, serial: String)
    /// No UD Pocket; the reason in words (e.g. "/license is not a separate mount").
    case absent(reason: String)
}

/// The unit ID rules of CLI.md "Unit ID", applied to what the device reported, with the
/// reasoning kept: one entry per candidate saying why it was chosen or skipped.
///
/// The reasons are what `unit-id --all` prints and what the "no unit ID" error lists, so a
/// person at the device can see why their NIC did or did not count.
public struct UnitIDSelection: Sendable, Equatable {
    /// One UD Pocket or interface and the verdict on it.
    public struct Candidate: Sendable, Equatable {
        /// Interface name, or the block device holding `/license`.
        public var name: String
        /// The MAC as sysfs gives it, or the flash serial; nil when there is none.
        public var address: String?
        public var chosen: Bool
        /// "chosen: …", "candidate: …" or "skipped: …".
        public var reason: String

        public init(name: String, address: String?, chosen: Bool, reason: String) {
            self.name = name
            self.address = address
            self.chosen = chosen
            self.reason = reason
        }
    }

    /// The unit ID, or nil when nothing qualified.
    public let unitID: UnitID?
    /// Every UD Pocket fact and interface looked at, in the order they were given.
    public let candidates: [Candidate]

    public var source: UnitID.Source? { unitID?.source }

    /// Applies the rules: the UD Pocket serial first; else the best qualifying interface.
    public init(pocket: PocketFacts?, interfaces: [NetworkInterfaceFacts]) {
        var entries: [Candidate] = []
        var pocketID: UnitID?
        switch pocket {
        case .usbFlash(let blockDevice, let serial):
            let trimmed = serial.trimmingASCIIWhitespace()
            if let id = UnitID(pocketSerial: trimmed) {
                pocketID = id
                entries.append(Candidate(name: blockDevice, address: trimmed, chosen: true,
                                         reason: "chosen: UD Pocket (USB flash device holding /license)"))
            } else {
                entries.append(Candidate(name: blockDevice, address: trimmed.isEmpty ? nil : trimmed, chosen: false,
                                         reason: "skipped: USB flash device has no usable serial"))
            }
        case .absent(let reason):
            entries.append(Candidate(name: "ud-pocket", address: nil, chosen: false, reason: "skipped: \(reason)"))
        case nil:
            break
        }

        // Judge every interface; remember the qualifying ones with their rank.
        var qualifying: [(index: Int, rank: Rank, id: UnitID)] = []
        for facts in interfaces {
            switch UnitIDSelection.judge(facts) {
            case .skipped(let why):
                entries.append(Candidate(name: facts.name, address: facts.address, chosen: false,
                                         reason: "skipped: \(why)"))
            case .qualifies(let id, let rank):
                qualifying.append((entries.count, rank, id))
                entries.append(Candidate(name: facts.name, address: facts.address, chosen: false,
                                         reason: "candidate: \(rank.words)"))
            }
        }

        if let pocketID {
            unitID = pocketID
        } else if let best = qualifying.min(by: { $0.rank < $1.rank }) {
            unitID = best.id
            entries[best.index].chosen = true
            entries[best.index].reason = "chosen: \(best.rank.words)"
        } else {
            unitID = nil
        }
        candidates = entries
    }

    /// The failure `unit-id` reports when nothing qualified: what was seen and why each
    /// was skipped, in one sentence.
    public var noUnitIDError: AgentError {
        let seen = candidates.map { candidate in
            let reason = candidate.reason.hasPrefix("skipped: ")
                ? String(candidate.reason.dropFirst("skipped: ".count)) : candidate.reason
            return "\(candidate.name) (\(reason))"
        }
        let summary = seen.isEmpty
            ? "No unit ID found: this device reported no network interfaces"
            : "No unit ID found: saw " + seen.joined(separator: ", ")
        return AgentError(.noUnitID, summary,
                          remedy: "Connect an onboard or PCI network adapter, or boot from a UD Pocket")
    }

    /// The order among qualifying interfaces: wired, universal, permanent first; then the
    /// lowest bus path, then the name.
    struct Rank: Comparable, Sendable {
        var wireless: Bool
        var locallyAdministered: Bool
        var permanent: Bool
        var assignType: Int?
        var busPath: String
        var name: String

        private var key: (Int, Int, Int) {
            (wireless ? 1 : 0, locallyAdministered ? 1 : 0, permanent ? 0 : 1)
        }

        static func < (left: Rank, right: Rank) -> Bool {
            if left.key != right.key { return left.key < right.key }
            if left.busPath != right.busPath { return left.busPath < right.busPath }
            return left.name < right.name
        }

        static func == (left: Rank, right: Rank) -> Bool {
            left.key == right.key && left.busPath == right.busPath && left.name == right.name
        }

        /// "wired, universal, permanent" and the like.
        var words: String {
            let assignment: String
            switch assignType {
            case 0: assignment = "permanent"
            case 2: assignment = "stolen address"
            case 3: assignment = "set address"
            default: assignment = "address origin unknown"
            }
            return [wireless ? "wireless" : "wired",
                    locallyAdministered ? "locally administered" : "universal",
                    assignment,
                    "bus \(busPath)"].joined(separator: ", ")
        }
    }

    enum Judgement {
        case skipped(String)
        case qualifies(UnitID, Rank)
    }

    static let ethernetLinkType = 1
    static let loopbackLinkType = 772

    /// True when the rules skip an interface on its name, link type and parent alone (loopback,
    /// virtual, not Ethernet): its other facts — USB, wireless, address origin, bus path — then
    /// cannot change the verdict or its reason, and the platform layer need not read them.
    public static func isSkippedBeforeBusFacts(name: String, linkType: Int?, hasParentDevice: Bool) -> Bool {
        earlySkip(name: name, linkType: linkType, hasParentDevice: hasParentDevice) != nil
    }

    /// The first three skip rules of CLI.md, which look at nothing but the name, the link type
    /// and whether there is a parent device; nil when none applies.
    static func earlySkip(name: String, linkType: Int?, hasParentDevice: Bool) -> String? {
        if linkType == loopbackLinkType || (name == "lo" && !hasParentDevice) { return "loopback" }
        if !hasParentDevice { return "virtual (no parent device)" }
        if linkType != ethernetLinkType {
            return linkType.map { "not Ethernet (type \($0))" } ?? "not Ethernet (link type unknown)"
        }
        return nil
    }

    /// The skip rules in CLI.md order, or the rank of a qualifying interface.
    static func judge(_ facts: NetworkInterfaceFacts) -> Judgement {
        if let why = earlySkip(name: facts.name, linkType: facts.linkType, hasParentDevice: facts.hasParentDevice) {
            return .skipped(why)
        }
        if facts.isUSBAttached { return .skipped("USB-attached NIC (removable dongle)") }
        guard let id = UnitID(facts.address), let bytes = macBytes(id.value) else {
            return .skipped("address is not a MAC (\(facts.address))")
        }
        if bytes.allSatisfy({ $0 == 0 }) { return .skipped("all-zero address") }
        if bytes[0] & 0x01 != 0 { return .skipped("multicast address") }
        if facts.addressAssignType == 1 { return .skipped("randomised address") }
        let rank = Rank(wireless: facts.isWireless,
                        locallyAdministered: bytes[0] & 0x02 != 0,
                        permanent: facts.addressAssignType == 0,
                        assignType: facts.addressAssignType,
                        busPath: facts.busPath,
                        name: facts.name)
        return .qualifies(id, rank)
    }

    /// The six bytes of a canonical MAC (12 upper-case hex digits).
    static func macBytes(_ canonical: String) -> [UInt8]? {
        let digits = Array(canonical.utf8)
        guard digits.count == 12 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: 12, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
