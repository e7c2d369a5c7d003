/// The embedded Kubernetes API server.
public enum LocalCluster {}
