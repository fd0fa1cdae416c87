namespace Waylay.Node.Images.Store;

/// <summary>A container's image and its pull policy, with where it is named (<c>pod ns/name (…): container c</c>).</summary>
internal sealed record ImageRequest(string Image, PullPolicy Policy, string Where);
