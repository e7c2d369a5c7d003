import ChatOps
import Synchronization

/// A chat surface that remembers every message, edit and callback answer, as a chat client
/// would show them.
final class RecordingSurface: ChatSurface {
    struct Sent: Sendable, Equatable {
        var ref: ChatMessageRef
        var message: OutgoingMessage
    }

    struct Answer: Sendable, Equatable {
        var callbackID: String
        var text: String?
        var alert: Bool
    }

    private struct State {
        var nextMessageID: Int64 = 1000
        var sent: [Sent] = []
        /// The current content of each message.
        var messages: [ChatMessageRef: OutgoingMessage] = [:]
        var edits = 0
        var editLog: [(ref: ChatMessageRef, message: OutgoingMessage)] = []
        var answers: [Answer] = []
    }

    private let state = Mutex(State())

    func send(_ message: OutgoingMessage, to chatID: Int64) async throws -> ChatMessageRef {
        state.withLock { state in
            state.nextMessageID += 1
            let ref = ChatMessageRef(chatID: chatID, messageID: state.nextMessageID)
            state.sent.append(Sent(ref: ref, message: message))
            state.messages[ref] = message
            return ref
        }
    }

    func edit(_ ref: ChatMessageRef, to message: OutgoingMessage) async throws {
        state.withLock { state in
            state.messages[ref] = message
            state.edits += 1
            state.editLog.append((ref, message))
        }
    }

    func answerCallback(_ callbackID: String, text: String?, alert: Bool) async throws {
        state.withLock { $0.answers.append(Answer(callbackID: callbackID, text: text, alert: alert)) }
    }

    var sent: [Sent] { state.withLock { $0.sent } }
    /// Every edit made, in order.
    var editLog: [(ref: ChatMessageRef, message: OutgoingMessage)] { state.withLock { $0.editLog } }
    var answers: [Answer] { state.withLock { $0.answers } }
    func current(_ ref: ChatMessageRef) -> OutgoingMessage? { state.withLock { $0.messages[ref] } }
    /// Messages sent to `chatID`, with their current content.
    func messages(in chatID: Int64) -> [(ref: ChatMessageRef, message: OutgoingMessage)] {
        state.withLock { state in
            state.sent.filter { $0.ref.chatID == chatID }.map { ($0.ref, state.messages[$0.ref] ?? $0.message) }
        }
    }
    var lastAnswer: Answer? { answers.last }
}
