import KubeRuntime

/// Every metric Slipway serves: its name and the HELP line Prometheus shows for it.
///
/// One place for the names keeps the dashboards, alert rules and code in agreement, and gives
/// metrics created through swift-metrics (which has no help text) the same HELP lines as the
/// ones created directly. The first three names are the product manual's, unprefixed, so that
/// its queries and alerts work as written.
/// See https://prometheus.io/docs/practices/naming/
public enum MetricName {
    // Releases, as the manual names them.
    public static let deployments = "deployments_total"
    public static let deploymentDuration = "deployment_duration_seconds"
    public static let healthCheckUp = "health_check_up"

    // Releases and targets.
    public static let requests = "slipway_requests"
    public static let oldestUnfinishedRequest = "slipway_request_oldest_unfinished_timestamp_seconds"
    public static let canaryWeight = "slipway_canary_weight"
    public static let lastDeployed = "slipway_target_last_deployed_timestamp_seconds"
    public static let gateResults = "slipway_gate_results_total"

    // The controller process.
    public static let buildInfo = "slipway_build_info"
    public static let controllerReady = "slipway_controller_ready"
    public static let controllerLeader = "slipway_controller_leader"
    public static let leaderChanges = "slipway_controller_leader_changes_total"

    // Kubernetes API requests.
    public static let kubeRequests = "slipway_kube_api_requests_total"
    public static let kubeRequestDuration = "slipway_kube_api_request_duration_seconds"

    // The Telegram bot.
    public static let telegramCommands = "slipway_telegram_commands_total"
    public static let telegramUp = "slipway_telegram_up"
    public static let telegramLastSuccess = "slipway_telegram_last_success_timestamp_seconds"
    public static let telegramAPIRequests = "slipway_telegram_api_requests_total"
    public static let botReady = "slipway_bot_ready"
    public static let botLeader = "slipway_bot_leader"

    // KubeRuntime's controller and work queue, named as controller-runtime names them.
    public static let reconciles = RuntimeMetricName.reconciles
    public static let reconcileErrors = RuntimeMetricName.reconcileErrors
    public static let reconcileTime = RuntimeMetricName.reconcileTime
    public static let activeWorkers = RuntimeMetricName.activeWorkers
    public static let queueDepth = RuntimeMetricName.queueDepth
    public static let queueAdds = RuntimeMetricName.queueAdds
    public static let queueRetries = RuntimeMetricName.queueRetries
}

enum MetricCatalogue {
    static let help: [String: String] = [
        MetricName.deployments: "Releases finished, by environment and outcome (success, failed, rolled_back, aborted, rejected).",
        MetricName.deploymentDuration: "Seconds from a release's start to its end, by environment.",
        MetricName.healthCheckUp: "Whether the live release of a target is healthy (1) or degraded (0).",
        MetricName.requests: "DeploymentRequests of each target in each phase, as the controller sees them.",
        MetricName.oldestUnfinishedRequest: "Creation time (Unix seconds) of the oldest request of a target still in this unfinished phase.",
        MetricName.canaryWeight: "Percent of a target's traffic on the release in progress: the canary weight; blue/green 0 before the switch, 100 after; 0 when none runs.",
        MetricName.lastDeployed: "When (Unix seconds) a release last went live on the target.",
        MetricName.gateResults: "Gate measurements taken during releases, by gate and result (success, failure, inconclusive).",
        MetricName.buildInfo: "Always 1; the labels say which Slipway build runs.",
        MetricName.controllerReady: "Whether the controller's watch caches are synced (1) or not (0).",
        MetricName.controllerLeader: "Whether this replica holds the leader Lease (1) or not (0); 1 without leader election once running.",
        MetricName.leaderChanges: "How often this replica gained or lost leadership.",
        MetricName.kubeRequests: "Kubernetes API requests sent, by verb, resource and HTTP status code (\"error\" when no answer came).",
        MetricName.kubeRequestDuration: "Seconds until the Kubernetes API answered, by verb (for watches, until the stream opened).",
        MetricName.telegramCommands: "Telegram commands handled, by command and outcome.",
        MetricName.telegramUp: "Whether the last call to the Telegram Bot API succeeded (1) or not (0).",
        MetricName.telegramLastSuccess: "When (Unix seconds) a call to the Telegram Bot API last succeeded.",
        MetricName.telegramAPIRequests: "Calls to the Telegram Bot API, by outcome (ok, error).",
        MetricName.botReady: "Whether the bot has its configuration and reaches the Kubernetes API (1) or not (0).",
        MetricName.botLeader: "Whether this bot replica takes Telegram updates (1: holds the polling Lease, or serves the webhook) or stands by (0).",
        MetricName.reconciles: "Reconciles finished, by controller and result (success, requeue_after, error).",
        MetricName.reconcileErrors: "Reconciles that failed and were retried with backoff, by controller.",
        MetricName.reconcileTime: "Seconds each reconcile took, by controller.",
        MetricName.activeWorkers: "Reconciles running now, by controller.",
        MetricName.queueDepth: "Keys waiting in the work queue to be reconciled.",
        MetricName.queueAdds: "Keys added to the work queue.",
        MetricName.queueRetries: "Keys queued again after a failed reconcile.",
    ]
}
