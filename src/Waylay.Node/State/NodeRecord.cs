namespace Waylay.Node.State;

/// <summary>A node as recorded: its index N (pods get 10.244.N.0/24) and its network namespace.</summary>
internal sealed record NodeRecord(int Index, string Namespace, string ConfigList);
