import Synchronization
import Telegram
import Testing

/// Edits the coalescer performed, in order.
final class PerformedEdits: Sendable {
    private let storage = Mutex<[EditCoalescer.Edit]>([])
    func append(_ edit: EditCoalescer.Edit) { storage.withLock { $0.append(edit) } }
    var all: [EditCoalescer.Edit] { storage.withLock { $0 } }
}

@Suite("Edit coalescing")
struct EditCoalescerTests {
    func edit(_ chat: Int64, _ message: Int64, _ text: String) -> EditCoalescer.Edit {
        EditCoalescer.Edit(chatID: chat, messageID: message, html: text, keyboard: [])
    }

    @Test("a burst of progress edits ends with the latest text, with far fewer calls than edits")
    func latestWins() async {
        let performed = PerformedEdits()
        let coalescer = EditCoalescer(interval: .milliseconds(300)) { performed.append($0); return true }
        for step in 1...20 {
            await coalescer.submit(edit(1, 10, "step \(step)"))
        }
        await coalescer.waitUntilIdle()
        #expect(performed.all.last?.html == "step 20")
        #expect(performed.all.count <= 3)
    }

    @Test("an edit that fails is tried again until it lands, unless a newer one replaced it")
    func retriesFailedEdits() async {
        let performed = PerformedEdits()
        let failuresLeft = Mutex(3)
        let coalescer = EditCoalescer(interval: .milliseconds(20)) { edit in
            let fail = failuresLeft.withLock { left -> Bool in
                guard left > 0 else { return false }
                left -= 1
                return true
            }
            if !fail { performed.append(edit) }
            return !fail
        }
        await coalescer.submit(edit(1, 10, "final"))
        await coalescer.waitUntilIdle()
        #expect(performed.all.map(\.html) == ["final"])
    }

    @Test("edits of two messages in one chat are both delivered; other chats are not held up")
    func separateMessagesAndChats() async {
        let performed = PerformedEdits()
        let coalescer = EditCoalescer(interval: .milliseconds(100)) { performed.append($0); return true }
        await coalescer.submit(edit(1, 10, "a1"))
        await coalescer.submit(edit(1, 11, "b1"))
        await coalescer.submit(edit(1, 10, "a2"))
        await coalescer.submit(edit(2, 20, "c1"))
        await coalescer.waitUntilIdle()
        let final = Dictionary(performed.all.map { ($0.messageID, $0.html) }, uniquingKeysWith: { _, last in last })
        #expect(final == [10: "a2", 11: "b1", 20: "c1"])
    }
}
