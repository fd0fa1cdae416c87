namespace Waylay.Inject.Manifests;

/// <summary>One manifest text and where it came from (a path, or "-" for stdin).</summary>
internal sealed record ManifestInput(string Source, string Text)
{
    public bool IsJson => Text.AsSpan().TrimStart() is [('{' or '['), ..];
}
