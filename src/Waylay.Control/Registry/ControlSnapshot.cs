using Waylay.Control.Sources;

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
