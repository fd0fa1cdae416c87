namespace Waylay.Node.Cni;

/// <summary>
/// What a CNI call is about: the container id (unique per sandbox), the sandbox's netns path, the interface to make
/// in it, and CNI_ARGS (containerd passes the pod's name this way: <c>IgnoreUnknown=1;K8S_POD_NAME=…</c>).
/// </summary>
internal sealed record CniSandbox(string ContainerId, string NetnsPath, string InterfaceName, string Args);
