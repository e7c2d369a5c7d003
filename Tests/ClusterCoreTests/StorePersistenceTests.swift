import Foundation
import JSON
import Testing
@testable import ClusterCore

@Suite("Store persistence")
struct StorePersistenceTests {
    typealias F = StoreFixtures

    static func journalURL(_ directory: URL) -> URL { directory.appendingPathComponent(Journal.journalName) }

    static func fileSize(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? -1
    }

    @Test("objects, deletions and the resourceVersion survive a reopen")
    func roundTrip() throws {
        let directory = F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var expected: [JSONValue] = []
        let lastVersion: Int
        do {
            let store = try F.makeStore(.init(stateDirectory: directory))
            for index in 0..<20 { _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("c\(index)")) }
            _ = try store.update(F.configMaps, namespace: "default", name: "c3") { old in
                var object = old ?? [:]
                object["data"] = ["key": "updated"]
                return object
            }
            _ = try store.delete(F.configMaps, namespace: "default", name: "c4")
            _ = try store.create(F.widgets, namespace: "default", object: F.widget("w"))
            _ = try store.update(F.widgets, namespace: "default", name: "w", subresource: .status) { old in
                var object = old ?? [:]
                object["status"] = ["ready": true]
                return object
            }
            expected = try store.list(F.configMaps, namespace: nil).items + store.list(F.widgets, namespace: nil).items
            lastVersion = Int(store.currentResourceVersion) ?? 0
        }
        let reopened = try F.makeStore(.init(stateDirectory: directory))
        let loaded = try reopened.list(F.configMaps, namespace: nil).items + reopened.list(F.widgets, namespace: nil).items
        #expect(loaded == expected)
        #expect(reopened.currentResourceVersion == String(lastVersion))
        #expect(try reopened.get(F.configMaps, namespace: "default", name: "c3")["data"] == ["key": "updated"])
        let next = try reopened.create(F.configMaps, namespace: "default", object: F.configMap("after-restart"))
        #expect(F.rv(next) == lastVersion + 1)
        #expect(Self.fileSize(Self.journalURL(directory)) > 0, "writes after the start-up compaction go to the journal")
    }

    @Test("a torn last record is dropped; every earlier write stays and versions continue")
    func tornWrite() throws {
        let directory = F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var versionBeforeLast = 0
        do {
            // The first open compacts nothing; every write below goes to the journal.
            let store = try F.makeStore(.init(stateDirectory: directory))
            for index in 0..<5 { _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("kept-\(index)")) }
            versionBeforeLast = Int(store.currentResourceVersion) ?? 0
            _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("torn"))
        }
        let journal = Self.journalURL(directory)
        let size = Self.fileSize(journal)
        #expect(size > 100)
        let handle = try FileHandle(forWritingTo: journal)
        try handle.truncate(atOffset: UInt64(size - 40))
        try handle.close()

        do {
            let reopened = try F.makeStore(.init(stateDirectory: directory))
            let names = try reopened.list(F.configMaps, namespace: nil).items.map(\.metadataName)
            #expect(names == (0..<5).map { "kept-\($0)" })
            #expect(reopened.currentResourceVersion == String(versionBeforeLast))
            let next = try reopened.create(F.configMaps, namespace: "default", object: F.configMap("next"))
            #expect(F.rv(next) == versionBeforeLast + 1)
        }
        let third = try F.makeStore(.init(stateDirectory: directory))
        #expect(try third.get(F.configMaps, namespace: "default", name: "next").metadataResourceVersion == String(versionBeforeLast + 1))
        #expect(try third.list(F.configMaps, namespace: nil).items.count == 6)
    }

    @Test("garbage after the last record is ignored")
    func trailingGarbage() throws {
        let directory = F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let store = try F.makeStore(.init(stateDirectory: directory))
            _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("kept"))
        }
        let handle = try FileHandle(forWritingTo: Self.journalURL(directory))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0x20, 0, 0, 0, 1, 2, 3, 4]) + Data("{\"rv\":99".utf8))
        try handle.close()
        let reopened = try F.makeStore(.init(stateDirectory: directory))
        #expect(try reopened.list(F.configMaps, namespace: nil).items.map(\.metadataName) == ["kept"])
    }

    @Test("objects load before their type is registered and are served once it is")
    func loadBeforeRegistration() throws {
        let directory = F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let store = try F.makeStore(.init(stateDirectory: directory))
            _ = try store.create(F.widgets, namespace: "default", object: F.widget("w"))
        }
        let reopened = try ObjectStore(configuration: .init(stateDirectory: directory))
        let unserved = F.apiError { () throws(APIError) in try reopened.get(F.widgets, namespace: "default", name: "w") }
        #expect(unserved?.code == 404)
        F.registerAll(reopened)
        #expect(try reopened.get(F.widgetsV2, namespace: "default", name: "w")["apiVersion"] == "example.com/v2")
        #expect(try reopened.list(F.namespaces, namespace: nil).items.count == 4, "the standard namespaces are not created twice")
    }

    @Test("a watch cannot resume from before a restart")
    func watchAfterRestart() throws {
        let directory = F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let early: String
        do {
            let store = try F.makeStore(.init(stateDirectory: directory))
            early = store.currentResourceVersion
            _ = try store.create(F.configMaps, namespace: "default", object: F.configMap("a"))
        }
        let reopened = try F.makeStore(.init(stateDirectory: directory))
        let error = F.apiError { () throws(APIError) in try reopened.watch(F.configMaps, namespace: nil, options: .init(resourceVersion: early)) }
        #expect(error?.code == 410)
    }
}
