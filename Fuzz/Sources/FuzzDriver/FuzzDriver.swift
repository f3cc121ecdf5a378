import CLibFuzzer
import Glibc

/// Starts libFuzzer with this process's arguments and `body` as the target, and exits with
/// its status. Every fuzz target's top-level code is this one call.
public func runFuzzer(_ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, body))
}
