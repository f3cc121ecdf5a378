/// An optional that encodes as JSON `null` when absent instead of leaving its key out.
///
/// The JSON contract (CLI.md) spells absent values as `null` (`"since": null`,
/// `"installedAs": null`), while synthesized `Encodable` omits nil optionals. Marking the
/// property `@ExplicitNull` keeps every output type synthesized: no hand-written `encode(to:)`.
@propertyWrapper
public struct ExplicitNull<Value: Encodable & Sendable>: Encodable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension ExplicitNull: Equatable where Value: Equatable {}
extension ExplicitNull: Hashable where Value: Hashable {}
