import Kube

/// What a `Watcher` reports, after kube-rs `watcher::Event`.
public enum WatcherEvent<Object: KubernetesObject>: Sendable {
    /// A full list completed: these are all the objects there are. Anything known before and
    /// not in the list was deleted while nobody watched.
    case restarted([Object])
    /// An object was added or changed.
    case applied(Object)
    /// An object was deleted; this is its last state.
    case deleted(Object)
}
