namespace Waylay.Node.Pods;

/// <summary>A container's use of a pod volume: where it appears and whether it is read-only.</summary>
internal sealed record VolumeMount(string Name, string MountPath, bool ReadOnly = false);
