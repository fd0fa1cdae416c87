namespace Waylay.Diagnostics;

/// <summary>The pod is there but cannot be read as asked (its tools failed, its proxy does not answer): exit code 1.</summary>
internal sealed class DiagnosticsException(string message) : Exception(message);
