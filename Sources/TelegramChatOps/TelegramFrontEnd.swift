import ChatOps
import Logging
import Telegram

/// Telegram in front of a ChatOps engine: updates in (by long polling or webhook), replies
/// and progress out through a `TelegramSurface`.
///
/// Updates are handled one at a time in the order Telegram numbered them; an update is
/// confirmed to Telegram only after the engine handled it, and the engine is idempotent per
/// update (deterministic request names), so a crash in between never loses a command and a
/// redelivery never duplicates one.
public struct TelegramFrontEnd: Sendable {
    public let client: TelegramClient
    public let engine: ChatOpsEngine
    public let logger: Logger
    private let username = BotUsername()

    public init(client: TelegramClient, engine: ChatOpsEngine, logger: Logger) {
        self.client = client
        self.engine = engine
        self.logger = logger
    }

    /// Hands one update to the engine; updates without a ChatOps meaning, and commands
    /// addressed to another bot (`/deploy@other_bot`), are dropped without a reply.
    public func handle(_ update: Update) async {
        guard let input = ChatInput(telegram: update) else {
            if let query = update.callbackQuery, !query.from.isBot {
                // A press without data, or on an inline message (no chat message to bind it
                // to), has no ChatOps meaning; answering it still stops the button's spinner.
                do {
                    try await client.answerCallbackQuery(id: query.id, text: "This button does nothing here.", alert: false)
                } catch {
                    logger.debug("could not answer a press without meaning", metadata: ["error": "\(error)"])
                }
            }
            logger.debug("ignored an update without a command or button press", metadata: ["update": "\(update.updateID)"])
            return
        }
        if case .command(_, _, _, _, let text) = input, let addressee = CommandAddressee(text: text), addressee != .anyBot {
            guard let name = await username.value(client: client) else {
                // Without its own name the bot cannot tell whether the command is its own; an
                // addressed command is then left to the bot it names rather than acted on twice.
                logger.warning("ignored a command addressed to a bot by name: getMe did not answer", metadata: ["update": "\(update.updateID)"])
                return
            }
            guard addressee.isFor(name) else {
                logger.debug("ignored a command for another bot", metadata: ["update": "\(update.updateID)"])
                return
            }
        }
        await engine.handle(input)
    }

    /// Asks Telegram for the bot's username (getMe), so that commands addressed to other bots
    /// are told apart from the first update on.
    public func learnUsername() async throws(TelegramError) {
        try await username.learn(client: client)
    }

    /// Long polling until the task is cancelled. Removes a webhook first: Telegram refuses
    /// getUpdates while one is set, and whoever runs the bot in polling mode means to poll.
    public func poll(timeout: Duration = .seconds(25), onStarted: @Sendable () -> Void = {}) async throws(TelegramError) {
        try await client.deleteWebhook()
        try await learnUsername()
        onStarted()
        let poller = UpdatePoller(client: client, pollTimeout: timeout, logger: logger)
        try await poller.run(onSkipped: { ids in await engine.recordSkippedUpdates(ids) }) { update in await handle(update) }
    }

    /// The HTTP status for one webhook delivery: 401 for a wrong secret (nothing read), 200
    /// otherwise, after the engine handled the update.
    public func handleWebhook(verifier: WebhookVerifier, secretHeader: String?, body: [UInt8]) async -> Int {
        switch verifier.verify(secretHeader: secretHeader, body: body) {
        case .forbidden:
            logger.warning("refused a webhook delivery without the right secret token")
            return 401
        case .unreadable:
            logger.warning("a webhook delivery was not an update Slipway reads; acknowledged and dropped")
            return 200
        case .update(let update):
            await handle(update)
            return 200
        }
    }
}
