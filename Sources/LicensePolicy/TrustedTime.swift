/// The time the agent judges expiry by (CLI.md "Trusted time").
///
/// Thin clients often boot with a wrong clock, and a clock set back must never revive an
/// expired license, so the agent takes the latest of: the system clock, the persisted
/// high-water mark, its own build date, and the newest `issued` among verified licenses.
public struct TrustedTime: Sendable, Equatable {
    /// How far the clock may lag the mark before it counts as set back.
    public static let rollbackTolerance: Int64 = 24 * 3600

    public let value: Timestamp
    /// The system clock is more than 24 h behind the persisted mark.
    public let clockRollbackDetected: Bool

    public init(clock: Timestamp, mark: Timestamp?, buildDate: Timestamp, newestIssued: Timestamp?) {
        value = [clock, mark, buildDate, newestIssued].compactMap { $0 }.max()!
        if let mark {
            clockRollbackDetected = mark.secondsSinceEpoch - clock.secondsSinceEpoch > TrustedTime.rollbackTolerance
        } else {
            clockRollbackDetected = false
        }
    }

    public var today: CalendarDay { value.day }

    /// The warning to show when the clock was set back.
    public func warning(clock: Timestamp) -> Warning? {
        guard clockRollbackDetected else { return nil }
        return Warning(code: .clockRollback,
                       message: "The system clock (\(clock)) is behind the last trusted time (\(value)); expiry is judged by the trusted time. Check the clock or NTP.")
    }
}

extension AgentError {
    /// This transfer failure, explained by the clock when that is the cause (DELIVERY.md "The
    /// clock and TLS"): a device whose clock was reset fails every https handshake with
    /// "certificate is not yet valid", which alone says nothing about what to do. When the
    /// failure is a certificate's validity and the clock is at least a day behind
    /// `trustedTime`, the sentence names both dates and the remedy; otherwise it is unchanged.
    public func explainingClock(_ clock: Timestamp, trustedTime: Timestamp) -> AgentError {
        guard code == .network, case .curl(_, let reason)? = cause,
              reason.contains("certificate is not yet valid") || reason.contains("certificate has expired"),
              trustedTime.secondsSinceEpoch - clock.secondsSinceEpoch >= TrustedTime.rollbackTolerance
        else { return self }
        let days = (trustedTime.secondsSinceEpoch - clock.secondsSinceEpoch) / 86_400
        return AgentError(code, "\(summary): the device clock (\(clock.day)) is \(days) day\(days == 1 ? "" : "s") behind the last trusted time (\(trustedTime.day))",
                          path: path, cause: cause, remedy: "Set the time (NTP, `timedatectl`) and try again",
                          failure: failure)
    }
}
