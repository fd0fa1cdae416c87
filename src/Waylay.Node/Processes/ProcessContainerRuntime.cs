using System.Diagnostics;
using Waylay.Node.Pods;

namespace Waylay.Node.Processes;

/// <summary>
/// Containers as processes of this machine inside the pod's namespaces (<see cref="ContainerCommand"/>): the
/// embedded default, for programs mapped from images by the image table. An exec is one more such process.
/// </summary>
internal sealed class ProcessContainerRuntime : IContainerRuntime
{
    public static ProcessContainerRuntime Instance { get; } = new();

    public bool SharesPodMounts => true;

    public Process Start(ContainerSpec container, ContainerContext context) =>
        ProcessLauncher.Start(
            ContainerCommand.Argv(container, context.PausePid),
            ContainerCommand.Environment(container, context.Hostname),
            context.LogFile);

    public Process Exec(ContainerSpec container, ContainerContext context) => Start(container, context);
}
