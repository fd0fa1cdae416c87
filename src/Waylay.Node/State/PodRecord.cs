using System.Text.Json.Nodes;
using Waylay.Node.Processes;

namespace Waylay.Node.State;

/// <summary>
/// A pod sandbox as recorded: its network namespace (written before it is made), its CNI container id and the ADD
/// result (DEL's prevResult), and the pause process that holds its mount and UTS namespaces.
/// </summary>
internal sealed record PodRecord(
    string Name,
    int Node,
    string Namespace,
    string ContainerId,
    JsonObject? CniResult = null,
    ProcessIdentity? Pause = null);
