namespace Waylay.Node.Images;

/// <summary>
/// Where a pod's images come from: the <see cref="ImageTable"/> (images as programs of this machine, the process
/// runtime's) or the <see cref="Store.ImageStore"/> (real OCI images, the OCI runtime's).
/// </summary>
internal interface IImageSource
{
    /// <summary>What a container of <paramref name="image"/> runs with its <c>command</c> and <c>args</c>.</summary>
    ResolvedImage Resolve(string image, IReadOnlyList<string>? command, IReadOnlyList<string>? args);
}
