namespace Waylay.Node.Images.Build;

/// <summary>A step of the image build that failed; the message names the tool, what it said and the fix.</summary>
internal sealed class ImageBuildException(string message) : Exception(message);
