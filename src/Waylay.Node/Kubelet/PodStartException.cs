namespace Waylay.Node.Kubelet;

/// <summary>A pod that did not start (an init container failed); the message carries the container's log tail.</summary>
internal sealed class PodStartException(string message) : Exception(message);
