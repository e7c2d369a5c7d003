import Foundation
import Synchronization

/// A program running in the background whose output is collected as it arrives.
///
/// The blocking reads run on threads of their own: on Linux, blocking a Dispatch global-queue
/// thread starves the Swift concurrency pool that every test shares.
final class ChildProcess: Sendable {
    private let process: Process
    private let output = CollectedText()
    private let errors = CollectedText()
    private let input: FileHandle?

    /// - Parameters:
    ///   - environment: the program's whole environment; nil inherits the tests' own.
    ///   - interactive: standard input is a pipe the test writes with `type(_:)`; otherwise /dev/null.
    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, interactive: Bool = false) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let inputPipe = interactive ? Pipe() : nil
        process.standardInput = inputPipe ?? FileHandle.nullDevice
        try process.run()
        self.process = process
        input = inputPipe?.fileHandleForWriting
        Self.collect(out.fileHandleForReading, into: output)
        Self.collect(err.fileHandleForReading, into: errors)
    }

    private static func collect(_ handle: FileHandle, into text: CollectedText) {
        Thread.detachNewThread {
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                text.append(data)
            }
        }
    }

    var stdout: String { output.text }
    var stderr: String { errors.text }
    var isRunning: Bool { process.isRunning }
    var exitStatus: Int32 { process.terminationStatus }

    /// Waits until standard output holds `text`; false when the deadline passes or the program exits first.
    func waitForOutput(containing text: String, timeout: Duration = .seconds(30)) async throws -> Bool {
        try await waitUntil(timeout: timeout) { self.stdout.contains(text) || !self.isRunning }
        return stdout.contains(text)
    }

    /// Waits for the program to exit; false when the deadline passes first.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Bool {
        try await waitUntil(timeout: timeout) { !self.isRunning }
        return !isRunning
    }

    /// Writes one line to the program's standard input (an interactive child only).
    func type(_ line: String) {
        input?.write(Data((line + "\n").utf8))
    }

    /// Closes standard input: the program reads end of file.
    func closeInput() {
        try? input?.close()
    }

    /// SIGTERM: the graceful way.
    func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// SIGSTOP / SIGCONT: the process freezes and resumes, as in a long pause or a partition.
    func pause() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGSTOP) }
    }

    func resume() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGCONT) }
    }

    /// SIGKILL: no chance to clean up, as when a node dies.
    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
    }
}

/// Text appended from a reader thread and read from tests.
final class CollectedText: Sendable {
    private let storage = Mutex("")

    func append(_ data: Data) {
        storage.withLock { $0 += String(decoding: data, as: UTF8.self) }
    }

    var text: String { storage.withLock { $0 } }
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
@discardableResult
func waitUntil(timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// Runs a program to completion (no shell) and returns its status and output.
func runProgram(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                stdin: String? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            do {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = arguments
                process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
                let out = Pipe(), err = Pipe(), input = Pipe()
                process.standardOutput = out
                process.standardError = err
                process.standardInput = input
                try process.run()
                if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
                try? input.fileHandleForWriting.close()
                let errors = CollectedText()
                let errorsRead = DispatchSemaphore(value: 0)
                Thread.detachNewThread {
                    errors.append(err.fileHandleForReading.readDataToEndOfFile())
                    errorsRead.signal()
                }
                let output = out.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                errorsRead.wait()
                continuation.resume(returning: (process.terminationStatus, String(decoding: output, as: UTF8.self), errors.text))
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}
