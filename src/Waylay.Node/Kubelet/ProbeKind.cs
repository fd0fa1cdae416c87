namespace Waylay.Node.Kubelet;

/// <summary>The three probes a container may have, in the order the kubelet lets them run.</summary>
internal enum ProbeKind
{
    /// <summary>Holds the others back until it passes once; failing failureThreshold times kills the container.</summary>
    Startup,

    /// <summary>Failing failureThreshold times kills the container, which restarts per the pod's restartPolicy.</summary>
    Liveness,

    /// <summary>Passing makes the container ready (and the pod an endpoint of its Services); failing takes it out.</summary>
    Readiness,
}
