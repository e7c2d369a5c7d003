import Kube
import Prometheus

/// Counts the controller's Kubernetes API requests by verb, resource and status code, and
/// times them by verb: the client calls `observer` after every answer (or failure to get one).
///
/// All three labels are bounded: verbs and resources are the ones the code uses, codes are
/// HTTP statuses; object names and namespaces are left out on purpose.
public enum KubeAPIMetrics {
    public static func observer(registry: MetricsRegistry) -> KubeRequestObserver {
        KubeRequestObserver { record in
            let code = record.statusCode.map { String($0) } ?? "error"
            registry.counter(MetricName.kubeRequests, [("verb", record.verb), ("resource", record.resource), ("code", code)])
                .increment()
            registry.durationHistogram(MetricName.kubeRequestDuration, [("verb", record.verb)]).record(record.duration)
        }
    }
}
