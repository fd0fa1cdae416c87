namespace Waylay.Node.Up;

/// <summary>What the user gave cannot run (manifests, images, flags): found before anything is made.</summary>
internal sealed class UpInputException(string message) : Exception(message);
