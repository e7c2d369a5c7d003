import JSON

extension NameValidation {
    /// A ConfigMap or Secret key: `[-._a-zA-Z0-9]+`, at most 253 characters, not `.` or `..`.
    static func configMapKey(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength { errors.append("must be no more than \(dns1123SubdomainMaxLength) characters") }
        let valid = !value.isEmpty && value.utf8.allSatisfy { c in
            (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 45 || c == 95 || c == 46
        }
        if !valid {
            errors.append(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                                     "[-._a-zA-Z0-9]+", ["key.name", "KEY_NAME", "key-name"]))
        }
        if value == "." || value == ".." { errors.append("must not be '\(value)'") }
        return errors
    }

    /// One `Invalid value` cause per error a name check reported.
    static func causes(_ errors: [String], value: String, field: String) -> [StatusCause] {
        errors.map { FieldError.invalid(.string(value), detail: $0, field: field) }
    }
}
