using Waylay.Control.Sources;
using Waylay.Discovery.V1;

namespace Waylay.Control.Registry;

/// <summary>
/// The merged mesh, cut into the stream's resource types, each with the version at which it last changed. Versions
/// count rebuilds that changed something (1, 2, 3…); <see cref="Version"/> is the newest, so a proxy runs the control
/// plane's version exactly when its newest type version equals it.
/// </summary>
internal sealed record ControlSnapshot(long Version, IReadOnlyDictionary<string, TypeSnapshot> Types, IReadOnlyList<SourceSnapshot> Sources, DateTimeOffset ChangedAt)
{
    public static ControlSnapshot Empty { get; } = new(0, new Dictionary<string, TypeSnapshot>(StringComparer.Ordinal), [], DateTimeOffset.MinValue);
}

/// <param name="Hash">Content hash of the resources, so a rebuild that changes nothing of a type keeps its version.</param>
internal sealed record TypeSnapshot(string TypeUrl, long Version, IReadOnlyList<Resource> Resources, UInt128 Hash, long Bytes);
