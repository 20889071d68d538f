// Literals keep handler code and tests close to the JSON they mean:
// `["route": ["cluster": "a", "weight": 2]]`.

extension ProtoValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) {
        self = .null
    }
}

extension ProtoValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension ProtoValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        self = .number(Double(value))
    }
}

extension ProtoValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) {
        self = .number(value)
    }
}

extension ProtoValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension ProtoValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: ProtoValue...) {
        self = .list(elements)
    }
}

extension ProtoValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, ProtoValue)...) {
        self = .structure(ProtoStruct(fields: Dictionary(elements) { _, last in last }))
    }
}

extension ProtoStruct: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, ProtoValue)...) {
        self.init(fields: Dictionary(elements) { _, last in last })
    }
}
