import Foundation

/// A program run to completion on a thread of its own, so that a test can look at it (its
/// children in /proc, say) while it runs, then collect its result.
public final class BackgroundProcess: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private var outcome: Result<ProcessResult, Error>?

    public init(_ arguments: [String], environment: [String: String] = [:]) throws {
        Thread { [self] in
            outcome = Result { try ProcessRunner.run(arguments, environment: environment) }
            finished.signal()
        }.start()
    }

    /// Waits for the program to end and returns how it ended.
    public func wait() throws -> ProcessResult {
        finished.wait()
        finished.signal()
        return try outcome!.get()
    }
}
