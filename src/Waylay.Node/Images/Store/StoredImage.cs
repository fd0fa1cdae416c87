namespace Waylay.Node.Images.Store;

/// <summary>
/// An image of the local store: the reference it was loaded under, its manifest digest, its config, the size of its
/// compressed layers, and the directory its layers are unpacked to once (every container's overlay reads it; shared by images with the
/// same layers).
/// </summary>
internal sealed record StoredImage(string Reference, string Digest, ImageConfig Config, long Size, string Rootfs)
{
    /// <summary><c>REF@DIGEST</c>, as <c>crictl</c> shows an image; a reference pinned by that digest already says it.</summary>
    public string Display => Reference.EndsWith("@" + Digest, StringComparison.Ordinal) ? Reference : $"{Reference}@{Digest}";
}
