import JSON

/// Validation of a value against a schema node, in the order and wording of the kube-openapi
/// validator the API server runs for custom resources: type, composition (allOf, anyOf, oneOf,
/// not), string, format, number, array, enum, object. Messages read
/// `<path> in body must be of type integer: "string"`; field paths read `spec.steps[2].setWeight`.
extension SchemaNode {
    static func child(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The JSON type name of a value, as the validator reports it (an integral number is an integer).
    static func typeName(of value: JSONValue) -> String {
        switch value {
        case .double(let d) where isIntegral(d): return "integer"
        default: return value.typeName
        }
    }

    /// A number the API server decodes as an integer (`3.0` is `3`).
    static func isIntegral(_ d: Double) -> Bool { d.rounded() == d && abs(d) < 9.2e18 }

    func typeMatches(_ value: JSONValue) -> Bool {
        if intOrString {
            switch value {
            case .string, .int: return true
            case .double(let d): return Self.isIntegral(d)
            default: return false
            }
        }
        guard let type else { return true }
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool),
             ("integer", .int), ("number", .int), ("number", .double):
            return true
        case ("integer", .double(let d)):
            return Self.isIntegral(d)
        default:
            return false
        }
    }

    func validate(_ value: JSONValue, at path: String, isRoot: Bool, causes: inout [StatusCause]) {
        if value.isNull {
            if nullable || (type == nil && !intOrString) { return }
        }
        guard typeMatches(value) else {
            let found = JSONValue.string(Self.typeName(of: value))
            let expected = intOrString ? "integer,string" : (type ?? "")
            causes.append(FieldError.typeInvalid(found, detail: "\(path) in body must be of type \(expected): \(found.jsonString())", field: path))
            return
        }

        validateComposition(value, at: path, causes: &causes)

        switch value {
        case .string(let text):
            validateString(text, value, at: path, causes: &causes)
        case .int, .double:
            validateNumber(value, at: path, causes: &causes)
        case .array(let elements):
            validateArray(elements, value, at: path, causes: &causes)
        default:
            break
        }

        if let enumValues, !enumValues.contains(where: { $0.isJSONEqual(to: value) }) {
            let supported = enumValues.map { $0.stringValue ?? $0.jsonString() }
            causes.append(FieldError.notSupported(value, supported: supported, field: path))
        }

        if case .object(let members) = value {
            validateObject(members, at: path, isRoot: isRoot, causes: &causes)
        }
    }

    private func validateComposition(_ value: JSONValue, at path: String, causes: inout [StatusCause]) {
        func errors(_ node: SchemaNode) -> [StatusCause] {
            var found: [StatusCause] = []
            node.validate(value, at: path, isRoot: false, causes: &found)
            return found
        }
        func failure(_ detail: String) -> StatusCause {
            FieldError.invalid(.string(""), detail: "\(path) in body \(detail)", field: path)
        }
        if !allOf.isEmpty {
            let found = allOf.flatMap(errors)
            if !found.isEmpty {
                causes.append(failure("must validate all the schemas (allOf)"))
                causes.append(contentsOf: found)
            }
        }
        if !anyOf.isEmpty && !anyOf.contains(where: { errors($0).isEmpty }) {
            causes.append(failure("must validate at least one schema (anyOf)"))
        }
        if !oneOf.isEmpty && oneOf.filter({ errors($0).isEmpty }).count != 1 {
            causes.append(failure("must validate one and only one schema (oneOf)"))
        }
        if let not, errors(not).isEmpty {
            causes.append(failure("must not validate the schema (not)"))
        }
    }

    private func validateString(_ text: String, _ value: JSONValue, at path: String, causes: inout [StatusCause]) {
        let length = text.unicodeScalars.count
        if let maxLength, length > maxLength {
            causes.append(FieldError.tooLong(maxLength: maxLength, field: path))
        }
        if let minLength, length < minLength {
            causes.append(FieldError.invalid(value, detail: "\(path) in body should be at least \(minLength) chars long", field: path))
        }
        if let pattern, !pattern.matches(text) {
            causes.append(FieldError.invalid(value, detail: "\(path) in body should match '\(pattern.source)'", field: path))
        }
        if let format, !StringFormat.isValid(text, format: format) {
            causes.append(FieldError.typeInvalid(value, detail: "\(path) in body must be of type \(format): \(value.jsonString())", field: path))
        }
    }

    private func validateNumber(_ value: JSONValue, at path: String, causes: inout [StatusCause]) {
        guard let number = value.doubleValue else { return }
        if let multipleOf, multipleOf > 0 {
            let quotient = number / multipleOf
            // A tolerance, as floating point division of decimals is inexact (0.3 / 0.1).
            if abs(quotient - quotient.rounded()) > 1e-9 * max(1, abs(quotient)) {
                causes.append(FieldError.invalid(value, detail: "\(path) in body should be a multiple of \(FieldError.number(multipleOf))", field: path))
            }
        }
        if let maximum {
            if exclusiveMaximum ? number >= maximum : number > maximum {
                let bound = exclusiveMaximum ? "less than" : "less than or equal to"
                causes.append(FieldError.invalid(value, detail: "\(path) in body should be \(bound) \(FieldError.number(maximum))", field: path))
            }
        }
        if let minimum {
            if exclusiveMinimum ? number <= minimum : number < minimum {
                let bound = exclusiveMinimum ? "greater than" : "greater than or equal to"
                causes.append(FieldError.invalid(value, detail: "\(path) in body should be \(bound) \(FieldError.number(minimum))", field: path))
            }
        }
    }

    private func validateArray(_ elements: [JSONValue], _ value: JSONValue, at path: String, causes: inout [StatusCause]) {
        if let minItems, elements.count < minItems {
            causes.append(FieldError.invalid(.int(elements.count), detail: "\(path) in body should have at least \(minItems) items", field: path))
        }
        if let maxItems, elements.count > maxItems {
            causes.append(FieldError.tooMany(actual: elements.count, max: maxItems, field: path))
        }
        if uniqueItems {
            let hasDuplicate = elements.indices.contains { i in
                elements[(i + 1)...].contains { $0.isJSONEqual(to: elements[i]) }
            }
            if hasDuplicate {
                causes.append(FieldError.invalid(.string(""), detail: "\(path) in body shouldn't contain duplicates", field: path))
            }
        }
        if let items {
            for (index, element) in elements.enumerated() {
                items.validate(element, at: "\(path)[\(index)]", isRoot: false, causes: &causes)
            }
        }
    }

    private func validateObject(_ members: OrderedDictionary<String, JSONValue>, at path: String, isRoot: Bool, causes: inout [StatusCause]) {
        if let maxProperties, members.count > maxProperties {
            causes.append(FieldError.tooMany(actual: members.count, max: maxProperties, field: path))
        }
        if let minProperties, members.count < minProperties {
            causes.append(FieldError.invalid(.int(members.count), detail: "\(path) in body should have at least \(minProperties) properties", field: path))
        }
        for name in required where members[name] == nil {
            causes.append(FieldError.required(field: Self.child(path, name)))
        }
        for (name, member) in members {
            if (isRoot || embeddedResource) && ["apiVersion", "kind", "metadata"].contains(name) { continue }
            let memberPath = Self.child(path, name)
            if let property = properties[name] {
                property.validate(member, at: memberPath, isRoot: false, causes: &causes)
                continue
            }
            switch additionalProperties {
            case .schema(let node):
                node.validate(member, at: memberPath, isRoot: false, causes: &causes)
            case .allowed(false):
                causes.append(FieldError.invalid(.string(""), detail: "\(memberPath) in body is a forbidden property", field: path))
            case .allowed(true), .unspecified:
                break
            }
        }
    }
}

/// The string formats the API server checks (`format` values it does not know are accepted,
/// and integer formats such as int32/int64 only describe the value).
enum StringFormat {
    static func isValid(_ text: String, format: String) -> Bool {
        switch format {
        case "date-time", "datetime": return isDateTime(text)
        case "date": return isDate(Array(text.utf8)[...])
        case "uuid": return isUUID(text)
        case "byte": return isBase64(text)
        case "ipv4": return isIPv4(text)
        default: return true
        }
    }

    private static func digits(_ bytes: ArraySlice<UInt8>, _ count: Int) -> Int? {
        guard bytes.count == count, bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    /// `YYYY-MM-DD`.
    static func isDate(_ b: ArraySlice<UInt8>) -> Bool {
        let s = Array(b)
        guard s.count == 10, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"),
              digits(s[0..<4], 4) != nil, let month = digits(s[5..<7], 2), let day = digits(s[8..<10], 2)
        else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// RFC 3339: `2024-05-01T10:00:00Z`, `2024-05-01T10:00:00.5+02:00`.
    static func isDateTime(_ text: String) -> Bool {
        let s = Array(text.utf8)
        guard s.count >= 20, isDate(s[0..<10]), [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(s[10]),
              let hour = digits(s[11..<13], 2), s[13] == UInt8(ascii: ":"), let minute = digits(s[14..<16], 2),
              s[16] == UInt8(ascii: ":"), let second = digits(s[17..<19], 2),
              hour < 24, minute < 60, second < 61
        else { return false }
        var i = 19
        if s[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < s.count, s[i] >= 48, s[i] <= 57 { i += 1 }
            guard i > start, i < s.count else { return false }
        }
        let zone = s[i...]
        if zone.count == 1 { return zone.first == UInt8(ascii: "Z") || zone.first == UInt8(ascii: "z") }
        guard zone.count == 6, zone.first == UInt8(ascii: "+") || zone.first == UInt8(ascii: "-"),
              let zoneHour = digits(zone.dropFirst().prefix(2), 2), zone[zone.startIndex + 3] == UInt8(ascii: ":"),
              let zoneMinute = digits(zone.suffix(2), 2)
        else { return false }
        return zoneHour < 24 && zoneMinute < 60
    }

    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    static func isBase64(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count % 4 == 0 else { return false }
        let body = bytes.reversed().drop(while: { $0 == UInt8(ascii: "=") })
        guard bytes.count - body.count <= 2 else { return false }
        return body.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 43 || $0 == 47 }
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            guard let value = Int(part), part.count <= 3, String(value) == part else { return false }
            return value <= 255
        }
    }
}
