namespace Waylay.Node.Processes;

/// <summary>What runs a pod's containers (<c>waylay up --runtime</c>): programs of this machine, or images through runc.</summary>
internal enum ContainerRuntimeKind
{
    Process,
    Oci,
}
