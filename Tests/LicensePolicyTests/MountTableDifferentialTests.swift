import FoundationEssentials
import LicenseMutation
@testable import LicensePolicy
import Testing

/// The byte parser of the mount table (`MountTableBytes`, what `MountTable(parsing:)` runs)
/// never gives a table or an error other than the `Character` parser's (`MountTableText`,
/// the specification): on real tables, on hand-made edges (escapes, optional fields, a
/// missing separator, empty and huge lines, `\r\n`, combining marks after a space, bytes that
/// are not UTF-8) and on thousands of mutations of them from a fixed seed. Bytes reach the
/// parsers as `MountInfo.read` hands them over: decoded as UTF-8 with repair. Tables are
/// compared byte for byte, not by `String`'s canonical equivalence. The fuzz target
/// `FuzzMountInfo` checks the same.
@Suite struct MountTableDifferentialTests {
    static let seed: UInt64 = 0x1CE0_2026_1205_0020
    static let mutations = 6_000

    /// What a parser made of a text, as bytes: the entries in full, or the error.
    static func outcome(_ parse: () throws(AgentError) -> [MountTable.Entry]) -> [UInt8] {
        do {
            return Array(("table " + String(reflecting: try parse())).utf8)
        } catch {
            return Array("error \(error.code) \(error.summary) \(error.cause.map(String.init(describing:)) ?? "")".utf8)
        }
    }

    /// Both outcomes for `bytes`, byte parser first.
    static func outcomes(_ bytes: [UInt8]) -> (bytes: [UInt8], text: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        return (outcome { () throws(AgentError) in try MountTable(parsing: text).entries },
                outcome { () throws(AgentError) in try MountTableText.entries(parsing: text) })
    }

    /// This machine's table and `MountTableTests.sample`, and one line for every edge.
    static func samples() -> [[UInt8]] {
        var samples = [Array(MountTableTests.sample.utf8)]
        if let own = try? Data(contentsOf: URL(fileURLWithPath: "/proc/self/mountinfo")) { samples.append(Array(own)) }
        let lines = [
            "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue",
            "40 22 8:17 / /license ro,nosuid shared:30 master:2 propagate_from:4 unbindable - ext4 /dev/sdb1 ro",
            "42 22 7:3 / /tmp/my\\040dir/with\\011tab\\012nl rw - ext4 /dev/loop3 rw",
            "43 22 7:4 /\\134 /mnt/back\\134slash rw - fuse\\040x /dev/my\\040disk rw,fmask=0022",
            "44 22 7:5 / /bad\\04 rw - ext4 /dev/loop5 rw", "44 22 7:5 / /bad\\089 rw - ext4 /dev/loop5 rw",
            "44 22 7:5 / /big\\400 rw - ext4 /dev/loop5 rw", "44 22 7:5 / /caf\\303\\251 rw - ext4 /dev/x rw",
            "44 22 7:5 / /half\\303 rw - ext4 /dev/x rw", "44 22 7:5 / /t rw - e\\xt4 /dev/x rw",
            "22 1 253:0 / / rw,relatime shared:1 ext4 /dev/root rw", "22 1 253:0 / / rw -", "22 1 253:0 / / rw - ext4",
            "22 1 253:0 - / rw a b - ext4 /dev/root rw", "22 1 253:0 / / rw - ext4 /dev/root rw extra fields here",
            "22 1 253:0 / / rw - ext4 /dev/root", "  22   1 253:0 / /  rw,,relatime,  -  ext4 /dev/root ,rw,  ",
            "+22 -1 253:0 / / rw - ext4 /dev/root rw", "22 1 +253:-0 / / rw - ext4 /dev/root rw",
            "22 1 253:-1 / / rw - ext4 /dev/root rw", "22 1 4294967295:4294967296 / / rw - ext4 /dev/root rw",
            "9223372036854775807 -9223372036854775808 1:2 / / rw - t s o", "9223372036854775808 1 1:2 / / rw - t s o",
            "22 1 253:0:1 / / rw - ext4 /dev/root rw", "22 1 :0 / / rw - ext4 /dev/root rw", "22 1 253 / / rw - t s o",
            "22 1 1:2 / / rw - t s o\r", "22 1 1:2 / / rw - t s o\r\n23 1 1:2 / /x rw - t s o",
            "22 1 1:2 / /caf\u{E9} rw - t s o", "22 1 1:2 / /a \u{301}b rw - t s o", "22 1 1:2 / /a\u{600} b rw - t s o",
            "22 1 1:2 / /\u{1F600} rw - t s o\u{2028}", "22 1 1:2 / /x\u{0} rw - t s o", "\t22 1 1:2 / / rw - t s o",
            "-", " ", "\r", "\r\n", "22 1 1:2 / / rw - t s " + String(repeating: "o,", count: 40_000),
        ]
        samples += lines.map { Array($0.utf8) }
        samples.append(Array("22 1 1:2 / /caf".utf8) + [0xE9, 0x20] + Array("rw - t s o".utf8))
        samples.append(Array("22 1 1:2 / /x".utf8) + [0xFF, 0xC3, 0x28, 0xED, 0xA0, 0x80] + Array(" rw - t s o\n".utf8))
        samples.append(Array(lines.joined(separator: "\n\n").utf8))
        return samples
    }

    /// What mutations insert: the bytes every branch of either parser turns on.
    static let fragments: [[UInt8]] = [
        " ", "  ", "\n", "\r", "\r\n", "\t", "\\", "\\040", "\\011", "\\134", "\\377", "\\400", "\\08", "\\04",
        "\\303\\251", "-", " - ", ":", ",", ",,", "+", "-0", "0", "4294967296", "9223372036854775808", "shared:1",
        "\u{301}", "\u{600}", "\u{E9}", "e\u{301}", "\u{1F600}", "\u{2028}", "\u{0}",
    ].map { Array($0.utf8) } + [[0x80], [0xFF], [0xC3], [0xE2, 0x80], [0xCC], [0xD8]]

    /// One seeded edit of `bytes`: a byte replaced, a fragment inserted, a range deleted or doubled.
    static func mutate(_ bytes: inout [UInt8], _ entropy: inout SeededEntropy) {
        let position = entropy.below(bytes.count + 1)
        switch entropy.below(5) {
        case 0 where position < bytes.count:
            bytes[position] = entropy.pick(fragments.flatMap { $0 })
        case 1, 2:
            bytes.insert(contentsOf: entropy.pick(fragments), at: position)
        case 3:
            bytes.removeSubrange(position..<min(bytes.count, position + 1 + entropy.below(12)))
        default:
            let copied = bytes[position..<min(bytes.count, position + 1 + entropy.below(24))]
            bytes.insert(contentsOf: copied, at: entropy.below(bytes.count + 1))
        }
    }

    @Test func everySampleGivesTheSameTable() {
        for sample in Self.samples() {
            let (bytes, text) = Self.outcomes(sample)
            #expect(bytes == text, "\(String(decoding: sample.prefix(300), as: UTF8.self).debugDescription)")
        }
    }

    @Test func mutationsGiveTheSameTable() {
        var entropy = SeededEntropy(seed: Self.seed)
        let lines = Self.samples().flatMap { $0.split(separator: UInt8(ascii: "\n")) }.filter { $0.count < 400 }
        var parsed = 0, refused = 0
        for _ in 0..<Self.mutations {
            var text: [UInt8] = []
            for _ in 0...entropy.below(4) { text += entropy.pick(lines) + [UInt8(ascii: "\n")] }
            for _ in 0...entropy.below(4) { Self.mutate(&text, &entropy) }
            let (bytes, reference) = Self.outcomes(text)
            #expect(bytes == reference, "\(String(decoding: text, as: UTF8.self).debugDescription)")
            if bytes != reference { return }
            if bytes.starts(with: Array("table".utf8)) { parsed += 1 } else { refused += 1 }
        }
        // Both outcomes are exercised, or the test proves nothing.
        #expect(parsed > Self.mutations / 10, "only \(parsed) mutated tables parsed")
        #expect(refused > Self.mutations / 10, "only \(refused) mutated tables refused")
    }

    /// The byte parser really parses all-ASCII lines itself, and hands the others over.
    @Test func asciiLinesTakeTheBytePath() {
        var bounds: [Int] = []
        for line in MountTableTests.sample.split(separator: "\n") {
            let parsed = Array(line.utf8).withUnsafeBufferPointer { MountTableBytes.parseLine($0, bounds: &bounds) }
            #expect(parsed == MountTableText.parseLine(line))
            #expect(parsed != nil)
        }
    }

    /// The lookup's shortcut for paths already normal gives what the full normalisation gives.
    @Test func normalisedPathsAgree() {
        func reference(_ path: String) -> String {
            let components = path.split(separator: "/").filter { $0 != "." }
            let joined = components.joined(separator: "/")
            return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
        }
        var entropy = SeededEntropy(seed: Self.seed)
        let parts = ["/", "//", ".", "..", "/.", "./", "license", "a", "\u{301}", "\r\n", "caf\u{E9}", "/\u{301}", ".\u{301}", " "]
        var paths = ["/", "/license", "/license/", "//license", "/./license", "/license/.", "/license/..", "license", ".", "", "/.", "/a/b"]
        for _ in 0..<3_000 { paths.append((0..<entropy.below(6)).map { _ in entropy.pick(parts) }.joined()) }
        for path in paths {
            #expect(Array(MountTable.normalisedPath(path).utf8) == Array(reference(path).utf8), "\(path.debugDescription)")
        }
    }
}
