/// How fast the demo's simulated world moves. `normal` is paced for people to follow the bars;
/// `fast` keeps every release's story but with the shortest waits the gates allow, for tests.
public struct DemoPace: Sendable, Equatable {
    /// Seconds a simulated pod takes to become ready.
    public var readinessDelay: Double
    /// Successes in a row a health gate needs.
    public var gateSuccesses: Int
    /// Seconds of each canary pause step.
    public var canaryPauseSeconds: Int
    /// Seconds the old blue/green slot stays warm after a switch.
    public var scaleDownDelaySeconds: Int
    /// How often the controller looks at a Deployment it waits for.
    public var availabilityPollMilliseconds: Int

    public static let normal = DemoPace(readinessDelay: 1, gateSuccesses: 3, canaryPauseSeconds: 3, scaleDownDelaySeconds: 3,
                                        availabilityPollMilliseconds: 500)
    public static let fast = DemoPace(readinessDelay: 0.2, gateSuccesses: 2, canaryPauseSeconds: 1, scaleDownDelaySeconds: 1,
                                      availabilityPollMilliseconds: 200)
}
