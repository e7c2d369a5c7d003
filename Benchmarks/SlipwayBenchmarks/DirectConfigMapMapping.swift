import JSON
import Kube

/// ConfigMaps built straight from parsed `JSONValue`s by hand-written field mapping, without
/// `Decoder`. The Kube module decodes typed kinds with `JSONDecoder`; this measures what a
/// direct mapping of the same kind (as `DynamicObject` already gets) would cost instead.
enum DirectConfigMapMapping {
    static func items(of list: JSONValue) throws -> [ConfigMap] {
        guard let items = list["items"]?.arrayValue else { return [] }
        var configMaps: [ConfigMap] = []
        configMaps.reserveCapacity(items.count)
        for item in items { configMaps.append(try configMap(item)) }
        return configMaps
    }

    static func configMap(_ value: JSONValue) throws -> ConfigMap {
        var configMap = ConfigMap(metadata: try metadata(value["metadata"]), data: strings(value["data"]),
                                  binaryData: strings(value["binaryData"]), immutable: value["immutable"]?.boolValue)
        configMap.apiVersion = value["apiVersion"]?.stringValue
        configMap.kind = value["kind"]?.stringValue
        return configMap
    }

    static func metadata(_ value: JSONValue?) throws -> ObjectMeta {
        guard let value else { return ObjectMeta() }
        return ObjectMeta(
            name: value["name"]?.stringValue, generateName: value["generateName"]?.stringValue,
            namespace: value["namespace"]?.stringValue, uid: value["uid"]?.stringValue,
            resourceVersion: value["resourceVersion"]?.stringValue, generation: value["generation"]?.intValue,
            creationTimestamp: value["creationTimestamp"]?.stringValue, deletionTimestamp: value["deletionTimestamp"]?.stringValue,
            deletionGracePeriodSeconds: value["deletionGracePeriodSeconds"]?.intValue,
            labels: strings(value["labels"]), annotations: strings(value["annotations"]),
            ownerReferences: try value["ownerReferences"].map { try $0.decode(as: [OwnerReference].self) },
            finalizers: value["finalizers"]?.arrayValue?.compactMap(\.stringValue),
            managedFields: value["managedFields"])
    }

    static func strings(_ value: JSONValue?) -> [String: String]? {
        guard let object = value?.objectValue else { return nil }
        var strings: [String: String] = [:]
        strings.reserveCapacity(object.count)
        for (key, entry) in object {
            if let text = entry.stringValue { strings[key] = text }
        }
        return strings
    }
}
