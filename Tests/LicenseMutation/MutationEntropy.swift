/// Where the mutation engine's choices come from: a seeded generator in the unit test (the
/// same mutations every run), the fuzzer's input bytes in the fuzz target (so that libFuzzer
/// steers the choices by coverage).
public protocol MutationEntropy {
    /// A number in `0..<bound` (`bound` ≥ 1).
    mutating func below(_ bound: Int) -> Int
}

extension MutationEntropy {
    /// One of `choices` (not empty).
    public mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }

    /// True with probability `numerator / denominator`.
    public mutating func chance(_ numerator: Int, in denominator: Int) -> Bool { below(denominator) < numerator }
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same sequence for the same seed
/// on every machine — what a deterministic test needs.
public struct SeededEntropy: MutationEntropy, RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
}

/// Choices read from bytes (a fuzzer's input), two at a time; zeros once they run out.
public struct ByteEntropy: MutationEntropy {
    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isExhausted: Bool { position >= bytes.count }

    public mutating func below(_ bound: Int) -> Int {
        var value = 0
        for _ in 0..<2 {
            value = value << 8 | Int(position < bytes.count ? bytes[position] : 0)
            position += 1
        }
        return value % max(bound, 1)
    }
}
