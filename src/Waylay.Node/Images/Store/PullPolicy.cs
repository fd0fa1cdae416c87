namespace Waylay.Node.Images.Store;

/// <summary>A container's <c>imagePullPolicy</c> (Kubernetes' three values).</summary>
internal enum PullPolicy
{
    /// <summary>Pull before every start; what is stored stays only when the registry cannot give it (ImagePulls.cs).</summary>
    Always,

    /// <summary>Pull only when the store does not have it.</summary>
    IfNotPresent,

    /// <summary>Never pull: the image must be in the store already.</summary>
    Never,
}

internal static class PullPolicies
{
    /// <summary>
    /// The policy given, else Kubernetes' default (the API server's defaulting, pkg/apis/core/v1/defaults.go):
    /// <c>Always</c> for an image tagged <c>:latest</c> or not tagged at all (and not pinned by a digest),
    /// <c>IfNotPresent</c> otherwise.
    /// </summary>
    public static PullPolicy Of(string image, string? given, string where) => given switch
    {
        "Always" => PullPolicy.Always,
        "IfNotPresent" => PullPolicy.IfNotPresent,
        "Never" => PullPolicy.Never,
        null or "" => ImageName.Parse(image) is { Digest: null, Tag: "latest" } ? PullPolicy.Always : PullPolicy.IfNotPresent,
        var other => throw new ImageStoreException($"{where}: imagePullPolicy '{other}': use Always, IfNotPresent or Never"),
    };
}
