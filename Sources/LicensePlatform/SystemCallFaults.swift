import Synchronization
import SystemPackage

/// A test's plan of failing system calls: the Nth call of a named syscall fails with an
/// errno instead of being made, the way strace's `inject=NAME:error=E:when=N` does it, but
/// in-process, so a test drives every failure path of a store change in milliseconds.
///
/// The model is swift-system's mocking driver. Every call of this target goes through
/// `valueOrErrno` (or its siblings), which asks `failure(of:)` first. In the shipped binary no
/// plan is ever installed, and the question costs one atomic load and a branch. A plan is
/// scoped to the task that runs `run(_:)` (a task-local value), so tests that run in parallel
/// never see each other's plan, and calls made by other tasks meanwhile are not counted.
///
/// Calls are counted per name while the plan is installed; `counts` tells a test how many
/// calls of each name an operation makes, so that it can then fail each one in turn.
public final class SystemCallFaults: Sendable {
    private struct State {
        var counts: [String: Int] = [:]
        var failures: [String: [Int: Errno]] = [:]
    }

    private let state = Mutex(State())

    /// A plan that fails nothing: it only counts.
    public init() {}

    /// A plan that fails the `call`th call (from 1) of `name` with `errno`.
    public convenience init(failing name: String, call: Int, with errno: Errno) {
        self.init()
        fail(name, call: call, with: errno)
    }

    /// Also fails the `call`th call (from 1) of `name` with `errno`.
    public func fail(_ name: String, call: Int, with errno: Errno) {
        state.withLock { $0.failures[name, default: [:]][call] = errno }
    }

    /// How many calls of each name were asked for so far (the failed ones included).
    public var counts: [String: Int] { state.withLock { $0.counts } }

    /// Runs `body` with this plan installed for the current task.
    public func run<Value>(_ body: () throws -> Value) rethrows -> Value {
        Self.installed.add(1, ordering: .relaxed)
        defer { Self.installed.subtract(1, ordering: .relaxed) }
        return try Self.$current.withValue(self) { try body() }
    }

    @TaskLocal private static var current: SystemCallFaults?

    /// How many plans are installed in the whole process: zero outside tests, which keeps
    /// the task-local lookup off the path of every call.
    private static let installed = Atomic<Int>(0)

    /// The errno the current plan makes this call of `name` fail with; nil: make the call.
    @inline(__always)
    static func failure(of name: StaticString) -> Errno? {
        guard installed.load(ordering: .relaxed) != 0 else { return nil }
        return current?.count(name.description)
    }

    private func count(_ name: String) -> Errno? {
        state.withLock { state in
            let number = state.counts[name, default: 0] + 1
            state.counts[name] = number
            return state.failures[name]?[number]
        }
    }
}
