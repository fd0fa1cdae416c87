namespace Waylay.Inject;

/// <summary>A manifest, values file or request Waylay cannot use; the message names the problem and the fix.</summary>
internal sealed class ManifestException(string message) : Exception(message);
