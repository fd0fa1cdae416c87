namespace Waylay.Node.Tests.Images.Build;

/// <summary>
/// The test classes that build or load images: one at a time, because each builds the waylay image into the same
/// cache (<see cref="BuiltImage"/>) when it is cold, and two builds of one archive at once would race on its file.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ImageBuilds
{
    public const string Name = "image builds";
}
