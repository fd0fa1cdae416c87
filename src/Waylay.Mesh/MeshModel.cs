namespace Waylay.Mesh;

/// <summary>
/// The whole mesh as one immutable value: the services with their endpoints and the workloads behind them. Read from
/// a file today (<see cref="MeshFileReader"/>), streamed by the control plane later; consumers never care which.
/// </summary>
/// <param name="Version">Names this state in logs and <c>/config_dump</c>; a file without one gets its content hash.</param>
public sealed record MeshModel(string Version, IReadOnlyList<Service> Services, IReadOnlyList<Workload> Workloads)
{
    /// <summary>No services at all: every outbound connection passes through to where it was going.</summary>
    public static MeshModel Empty { get; } = new("empty", [], []);
}
