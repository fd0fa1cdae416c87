namespace Waylay.Inject.Manifests;

/// <summary>The rewritten manifest text and a report per workload found.</summary>
internal sealed record ManifestOutput(string Text, IReadOnlyList<DocumentReport> Reports);
