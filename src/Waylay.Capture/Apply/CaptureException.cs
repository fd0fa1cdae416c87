namespace Waylay.Capture.Apply;

/// <summary>A failure the user can act on; the message says what happened and what to do.</summary>
public sealed class CaptureException(string message) : Exception(message);
