import Foundation
import Kube
import Logging
import SlipwayAPI

/// The front-end-neutral chat operations: reads commands and button presses, checks who is
/// asking, creates and annotates DeploymentRequests, keeps a progress message up to date and
/// writes the audit log. It never deploys anything itself; the controller does.
///
/// One engine serves one surface. `handle(_:)` never throws: every outcome, including
/// failures, is a reply through the surface (and, where it matters, an audit entry).
public actor ChatOpsEngine {
    let configuration: ChatOpsConfiguration
    let surface: any ChatSurface
    let kube: KubeClient
    let logger: Logger

    public init(configuration: ChatOpsConfiguration, surface: any ChatSurface, kube: KubeClient,
                logger: Logger = Logger(label: "slipway.chatops")) throws {
        self.configuration = configuration
        self.surface = surface
        self.kube = kube
        self.logger = logger
    }

    /// Handles one update from the chat platform.
    public func handle(_ input: ChatInput) async {
        switch input {
        case .command(_, let chatID, _, _, _):
            _ = try? await surface.send(OutgoingMessage(html: "Not available yet."), to: chatID)
        case .callback(_, let callbackID, _, _, _):
            try? await surface.answerCallback(callbackID, text: "Not available yet.", alert: false)
        }
    }
}
