internal import CLinux

/// Where a byte string first occurs in another, by the C library's `memmem`.
///
/// Every candidate file is searched for a PEM begin line before anything else, on every
/// import and every boot; the generic `firstRange(of:)` costs orders of magnitude more on
/// the 64 KiB a candidate may hold, and a hostile USB stick holds thousands of them.
enum ByteSearch {
    /// The offset of the first `needle` in `haystack`, or nil.
    static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty ? 0 : nil }
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                linux_memmem(hay.baseAddress, hay.count, pin.baseAddress, pin.count)
                    .map { hay.baseAddress!.distance(to: UnsafeRawPointer($0)) }
            }
        }
    }
}
