import ChatOps
import FakeTelegramAPI
import Logging
import Telegram
import TelegramChatOps
import Testing

@Suite("Telegram as a ChatOps surface")
struct TelegramChatOpsTests {
    let chat = Chat(id: 1001, type: "private")
    let person = User(id: 1001, firstName: "Alice", username: "alice")

    @Test("a person's text message becomes a command; a button press becomes a callback")
    func translatesUpdates() {
        let message = Update(updateID: 5, message: Message(messageID: 9, from: person, chat: chat, date: 1, text: "/deploy staging"))
        #expect(ChatInput(telegram: message) == .command(updateID: 5, chatID: 1001, messageID: 9,
                                                         from: ChatUser(id: 1001, username: "alice"), text: "/deploy staging"))
        let press = Update(updateID: 6, callbackQuery: CallbackQuery(id: "q1", from: person, message: Message(messageID: 10, chat: chat, date: 0),
                                                                     chatInstance: "x", data: "d.abc"))
        #expect(ChatInput(telegram: press) == .callback(updateID: 6, callbackID: "q1", message: ChatMessageRef(chatID: 1001, messageID: 10),
                                                        from: ChatUser(id: 1001, username: "alice"), data: "d.abc"))
    }

    @Test("messages from bots, messages without text and presses without data carry nothing")
    func ignoresTheRest() {
        let robot = User(id: 77, isBot: true, firstName: "Other bot")
        #expect(ChatInput(telegram: Update(updateID: 1, message: Message(messageID: 1, from: robot, chat: chat, date: 1, text: "/deploy production"))) == nil)
        #expect(ChatInput(telegram: Update(updateID: 2, message: Message(messageID: 2, from: person, chat: chat, date: 1))) == nil)
        #expect(ChatInput(telegram: Update(updateID: 3, callbackQuery: CallbackQuery(id: "q", from: person, chatInstance: "x", data: "d"))) == nil)
        #expect(ChatInput(telegram: Update(updateID: 4)) == nil)
    }

    @Test("each role sees its own commands; strangers only /start and /help")
    func commandMenus() {
        #expect(CommandMenu.commands(for: []).map(\.command) == ["start", "help"])
        #expect(CommandMenu.commands(for: [.view]).map(\.command) == ["start", "help", "status", "history"])
        let staging = CommandMenu.commands(for: [.view, .deploy, .steer]).map(\.command)
        #expect(staging.contains("deploy") && staging.contains("abort") && !staging.contains("approve") && !staging.contains("rollback"))
        let admin = CommandMenu.commands(for: Set(ChatPermission.allCases)).map(\.command)
        #expect(Set(admin) == ["start", "help", "status", "history", "deploy", "rollback", "approve", "promote", "abort"])
    }

    @Test("the surface sends, edits through the coalescer and answers presses on a fake Telegram")
    func surfaceRoundTrip() async throws {
        try await TelegramHarness.with { harness in
            let surface = TelegramSurface(client: harness.client, editInterval: .milliseconds(50), logger: .init(label: "test"))
            let long = (1...400).map { "line \($0) &amp; <b>bold</b>" }.joined(separator: "\n")
            let ref = try await surface.send(OutgoingMessage(html: long, buttons: [[ChatButton(title: "Abort", callbackData: "x.1")]]), to: alice.id)
            let sent = harness.fake.messages(chat: alice.id)
            #expect(sent.count > 1)
            #expect(ref == ChatMessageRef(chatID: alice.id, messageID: sent.last?.messageID ?? -1), "the reference is the part with the buttons")
            #expect(sent.last?.buttons.first?.first?.callbackData == "x.1")

            for step in 1...5 {
                try await surface.edit(ref, to: OutgoingMessage(html: "<b>Progressing</b> step \(step)"))
            }
            await surface.flush()
            let edited = harness.fake.messages(chat: alice.id).last
            #expect(edited?.text == "Progressing step 5")
            #expect(edited?.buttons.isEmpty == true, "an edit without buttons removes them")

            let press = harness.fake.pressButton(from: alice, chatID: alice.id, messageID: ref.messageID, data: "x.1")
            try await surface.answerCallback(press.callbackID, text: "Aborting", alert: false)
            // Answering again (a redelivered press) is not an error for the command.
            try await surface.answerCallback(press.callbackID, text: "Aborting", alert: false)
            #expect(harness.fake.callbackAnswers.count == 1)
        }
    }
}
