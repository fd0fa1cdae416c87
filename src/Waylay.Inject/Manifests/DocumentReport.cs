namespace Waylay.Inject.Manifests;

/// <summary>What happened to one workload in a manifest: shown on stderr by <c>waylay inject</c>.</summary>
internal sealed record DocumentReport(string Source, string Workload, InjectionDecision Decision, string Reason, IReadOnlyList<string> Warnings);
