namespace Waylay.Node.Processes;

/// <summary>
/// The kubelet's crash-loop back-off: the first restart waits <see cref="Initial"/>, each further one twice as long up to
/// <see cref="Maximum"/>, and a container that ran for <see cref="ResetAfter"/> starts again from the beginning
/// (kubelet: 10 s doubling to 5 min, reset after 10 min; pkg/kubelet/kuberuntime, MaxContainerBackOff).
/// </summary>
internal sealed record RestartBackoff(TimeSpan Initial, TimeSpan Maximum, TimeSpan ResetAfter)
{
    public static RestartBackoff Kubernetes { get; } =
        new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10));

    /// <summary>The wait before the restart that follows <paramref name="previous"/> (null: the first one).</summary>
    public TimeSpan Next(TimeSpan? previous, TimeSpan ranFor)
    {
        if (previous is not { } last || ranFor >= ResetAfter)
        {
            return Initial;
        }

        var doubled = last * 2;
        return doubled > Maximum ? Maximum : doubled;
    }
}
