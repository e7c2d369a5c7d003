import Foundation
import JSON
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The store's durable state in a directory: `objects.snapshot`, a compacted image written to a
/// temporary file and renamed into place, and `objects.journal`, an append-only log of every
/// change since that snapshot. Each change is written as it is made and the journal is synced
/// once at the end of the store operation (one fsync for a whole cascade of deletions), before
/// the caller gets its answer and before any watcher or reader sees the change, so a crash,
/// even kill -9, loses no acknowledged write. A record cut short
/// by a crash (a torn tail) fails its length or checksum and is dropped on reload, together
/// with anything after it. The journal is folded into a new snapshot on start-up and whenever
/// it outgrows `compactionThreshold`, so no write rewrites the whole state.
///
/// Record layout: 4-byte little-endian payload length, 4-byte little-endian FNV-1a checksum of
/// the payload, then the payload: `{"rv":N,"op":"put"|"delete","resource":K,"key":"ns/name","object":{...}}`.
final class Journal {
    static let snapshotName = "objects.snapshot"
    static let journalName = "objects.journal"
    /// Journals larger than this (and larger than the last snapshot) are compacted.
    static let compactionThreshold = 64 * 1024 * 1024
    static let maximumRecordSize = 512 * 1024 * 1024

    enum Operation: String { case put, delete, snapshot }

    struct Record {
        var resourceVersion: Int
        var operation: Operation
        var storageKey: String
        var key: ObjectKey
        var object: JSONValue?
    }

    /// What a directory held when opened.
    struct LoadedState {
        var resourceVersion = 0
        var objects: [String: [ObjectKey: JSONValue]] = [:]
    }

    let directory: URL
    private var descriptor: Int32
    private(set) var journalSize: Int
    private var snapshotSize: Int

    struct IOError: Error, CustomStringConvertible {
        var description: String
    }

    private init(directory: URL, descriptor: Int32, journalSize: Int, snapshotSize: Int) {
        self.directory = directory
        self.descriptor = descriptor
        self.journalSize = journalSize
        self.snapshotSize = snapshotSize
    }

    deinit {
        close(descriptor)
    }

    private static func path(_ directory: URL, _ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// Opens (creating if needed) the state directory and reads what it holds; the journal is
    /// cut back to its last whole record.
    static func open(directory: URL) throws(IOError) -> (Journal, LoadedState) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw IOError(description: "cannot create the state directory \(directory.path): \(error)")
        }
        var state = LoadedState()
        let snapshotBytes = readFile(path(directory, snapshotName)) ?? []
        _ = replay(snapshotBytes, into: &state)
        let journalPath = path(directory, journalName)
        let journalBytes = readFile(journalPath) ?? []
        let validLength = replay(journalBytes, into: &state)
        let descriptor = posixOpen(journalPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw IOError(description: "cannot open \(journalPath): \(String(cString: strerror(errno)))")
        }
        if validLength < journalBytes.count {
            // Drop the torn tail so new records follow the last whole one.
            guard ftruncate(descriptor, off_t(validLength)) == 0, fsync(descriptor) == 0 else {
                close(descriptor)
                throw IOError(description: "cannot truncate the torn end of \(journalPath): \(String(cString: strerror(errno)))")
            }
        }
        syncDirectory(directory)
        let journal = Journal(directory: directory, descriptor: descriptor, journalSize: validLength, snapshotSize: snapshotBytes.count)
        return (journal, state)
    }

    /// Appends one record and waits until it is on disk.
    /// Records written since the last sync.
    private(set) var hasUnsyncedRecords = false

    /// Appends one record; `sync` makes it durable.
    func append(_ record: Record) throws(IOError) {
        let bytes = Self.encode(record)
        do {
            try Self.writeAll(descriptor, bytes, what: Self.journalName)
        } catch {
            // Cut off a partly written record, so later records do not follow a torn one.
            _ = ftruncate(descriptor, off_t(journalSize))
            throw error
        }
        journalSize += bytes.count
        hasUnsyncedRecords = true
    }

    /// Waits until every appended record is on disk.
    func sync() throws(IOError) {
        guard hasUnsyncedRecords else { return }
        guard syncData(descriptor) == 0 else {
            throw IOError(description: "cannot sync \(Self.journalName): \(String(cString: strerror(errno)))")
        }
        hasUnsyncedRecords = false
    }

    var needsCompaction: Bool {
        journalSize > Self.compactionThreshold && journalSize > snapshotSize
    }

    /// Writes every object to a new snapshot (temporary file, fsync, rename, directory fsync),
    /// then empties the journal. A crash in between leaves either the old snapshot with the full
    /// journal or the new snapshot with a journal whose records it already contains (they are
    /// skipped on replay by resourceVersion).
    func compact(resourceVersion: Int, buckets: [String: Bucket]) throws(IOError) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(snapshotSize + journalSize)
        bytes += Self.encode(Record(resourceVersion: resourceVersion, operation: .snapshot, storageKey: "", key: ObjectKey(namespace: "", name: ""), object: nil))
        for storageKey in buckets.keys.sorted() {
            guard let bucket = buckets[storageKey] else { continue }
            for key in bucket.sortedKeys {
                guard let object = bucket[key] else { continue }
                let version = Int(object.metadataResourceVersion) ?? resourceVersion
                bytes += Self.encode(Record(resourceVersion: version, operation: .put, storageKey: storageKey, key: key, object: object))
            }
        }
        let finalPath = Self.path(directory, Self.snapshotName)
        let temporaryPath = finalPath + ".tmp"
        let temporary = posixOpen(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard temporary >= 0 else {
            throw IOError(description: "cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        do {
            try Self.writeAll(temporary, bytes, what: temporaryPath)
        } catch {
            close(temporary)
            throw error
        }
        let synced = fsync(temporary) == 0
        close(temporary)
        guard synced, rename(temporaryPath, finalPath) == 0 else {
            throw IOError(description: "cannot install the snapshot \(finalPath): \(String(cString: strerror(errno)))")
        }
        Self.syncDirectory(directory)
        guard ftruncate(descriptor, 0) == 0, fsync(descriptor) == 0 else {
            throw IOError(description: "cannot empty \(Self.journalName): \(String(cString: strerror(errno)))")
        }
        snapshotSize = bytes.count
        journalSize = 0
        hasUnsyncedRecords = false
    }

    // MARK: Encoding

    static func encode(_ record: Record) -> [UInt8] {
        var payload: JSONValue = [
            "rv": .int(record.resourceVersion), "op": .string(record.operation.rawValue),
            "resource": .string(record.storageKey), "key": .string(record.key.path),
        ]
        if let object = record.object { payload["object"] = object }
        let body = payload.jsonBytes()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(body.count + 8)
        appendUInt32(UInt32(body.count), to: &bytes)
        appendUInt32(checksum(body[...]), to: &bytes)
        bytes += body
        return bytes
    }

    /// Applies every whole record of `bytes` to `state`; returns how many bytes they span.
    static func replay(_ bytes: [UInt8], into state: inout LoadedState) -> Int {
        var offset = 0
        while offset + 8 <= bytes.count {
            let length = Int(readUInt32(bytes, at: offset))
            let expectedChecksum = readUInt32(bytes, at: offset + 4)
            let start = offset + 8
            guard length <= maximumRecordSize, start + length <= bytes.count else { break }
            let body = bytes[start..<start + length]
            guard checksum(body) == expectedChecksum, let payload = try? JSONValue(parsing: body),
                  let version = payload["rv"]?.intValue, let operation = payload["op"]?.stringValue.flatMap(Operation.init(rawValue:))
            else { break }
            offset = start + length
            switch operation {
            case .snapshot:
                state.resourceVersion = max(state.resourceVersion, version)
            case .put, .delete:
                guard let storageKey = payload["resource"]?.stringValue, let path = payload["key"]?.stringValue else { continue }
                state.resourceVersion = max(state.resourceVersion, version)
                let key = ObjectKey(path: path)
                if operation == .put, let object = payload["object"] {
                    state.objects[storageKey, default: [:]][key] = object
                } else if operation == .delete {
                    state.objects[storageKey]?[key] = nil
                }
            }
        }
        return offset
    }

    /// FNV-1a, 32 bits: enough to tell a torn or garbled record from a whole one.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash
    }

    private static func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[offset + index]) << UInt32(8 * index) }
        return value
    }

    // MARK: Files

    private static func readFile(_ path: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return [UInt8](data)
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], what: String) throws(IOError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress?.advanced(by: written), bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw IOError(description: "cannot write \(what): \(String(cString: strerror(errno)))")
            }
            written += result
        }
    }

    private static func syncDirectory(_ directory: URL) {
        let descriptor = posixOpen(directory.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}

/// `open(2)`, reachable under a name that the `Journal.open` method does not shadow.
private func posixOpen(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    open(path, flags, mode)
}

/// Flushes a file's data (and the metadata needed to read it back, such as its size).
private func syncData(_ descriptor: Int32) -> Int32 {
    #if os(Linux)
    return fdatasync(descriptor)
    #else
    return fsync(descriptor)
    #endif
}
