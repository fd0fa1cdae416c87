namespace Waylay.Node.Images.Store;

/// <summary>A registry did not give an image (unreachable, refused, unknown, unauthorised): its answer, kept apart so
/// callers say it as the kubelet's ErrImagePull does.</summary>
internal sealed class ImagePullException(ImageName image, string answer)
    : Exception($"pulling image \"{image.Normalized}\" from {image.Registry} failed: {answer}")
{
    public ImageName Image { get; } = image;

    public string Answer { get; } = answer;
}
