namespace Waylay.Node.Manifests;

/// <summary>A pod <c>waylay up</c> cannot run as written; the message names the pod, the field and the fix.</summary>
internal sealed class PodConversionException(string message) : Exception(message);
