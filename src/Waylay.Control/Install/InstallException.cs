namespace Waylay.Control.Install;

/// <summary>The cluster refused or could not be reached mid-way; the message says what was done, what failed and how to undo it.</summary>
internal sealed class InstallException(string message, Exception? inner = null) : Exception(message, inner);
