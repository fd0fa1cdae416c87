namespace Waylay.Node.Images;

/// <summary>An image the table cannot run, or an <c>--images</c> file that cannot be read; the message says the fix.</summary>
internal sealed class ImageTableException(string message) : Exception(message);
