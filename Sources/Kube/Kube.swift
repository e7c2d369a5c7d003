/// The Kubernetes API client.
public enum Kube {}
