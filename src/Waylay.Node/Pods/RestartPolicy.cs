namespace Waylay.Node.Pods;

/// <summary>The pod's restartPolicy, applied to each container as the kubelet does.</summary>
internal enum RestartPolicy
{
    Always,
    OnFailure,
    Never,
}
