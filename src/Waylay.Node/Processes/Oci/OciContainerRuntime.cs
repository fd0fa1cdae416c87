using System.Diagnostics;
using System.Text.Json;
using Waylay.Node.Pods;

namespace Waylay.Node.Processes.Oci;

/// <summary>
/// Containers from real images through <c>runc</c>, in the pod's network namespace (<c>waylay up --runtime oci</c>).
/// <code>
///  :: 1  a leftover container of that id (its runc was killed) deleted: runc run needs the id free
///  :: 2  the bundle: a fresh overlay over the image's unpacked tree, config.json from the pod spec (OciSpec.cs)
///  :: 3  runc --root &lt;state&gt;/runc run --bundle B wl-&lt;run&gt;-&lt;pod&gt;-&lt;container&gt;, in the foreground
/// </code>
/// runc in the foreground is the container's process as the supervisor sees it: it passes its stdout and stderr
/// (the log file) to the container, forwards the SIGTERM that stopping sends, exits with the container's exit code
/// (128+N after signal N) and deletes the container as it ends; so restarts, back-off, logs and exit codes are the
/// process runtime's own (<see cref="ContainerProcess"/>). An exec is <c>runc exec</c> (the container's user, env,
/// capabilities and working directory). Teardown: <see cref="OciTeardown"/>.
/// </summary>
internal sealed class OciContainerRuntime(string runcRoot, RunNames names) : IContainerRuntime
{
    public const string Runc = "runc";

    /// <summary>runc's state directory for the run (its <c>--root</c>): the run's containers and no one else's.</summary>
    public string RuncRoot { get; } = runcRoot;

    public bool SharesPodMounts => false;

    /// <summary>Where a run's runc state lives: inside its state directory, so teardown finds it from there alone.</summary>
    public static string RuncRootOf(State.RunState state) => Path.Combine(state.Directory, "runc");

    public string ContainerId(string pod, string container) => $"{names.ContainerId(pod)}-{container}";

    public Process Start(ContainerSpec container, ContainerContext context)
    {
        var image = container.Image ?? throw new InvalidOperationException(
            $"pod {context.Pod}, container {container.Name}: no image from the store; the OCI runtime runs images (waylay image load, then waylay up --runtime oci)");
        var id = ContainerId(context.Pod, container.Name);

        // :: Step 1
        if (Directory.Exists(Path.Combine(RuncRoot, id)))
        {
            using var delete = Launch(["--root", RuncRoot, "delete", "--force", id], null);
            delete.WaitForExit();
        }

        // :: Step 2
        var bundle = new OciBundle(Path.Combine(context.PodDirectory, "oci", container.Name));
        bundle.Prepare(image.Rootfs, context.Hostname);
        File.WriteAllText(bundle.Config, OciSpec.For(container, context, bundle).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        // :: Step 3
        return Launch(["--root", RuncRoot, "run", "--bundle", bundle.Directory, id], context.LogFile);
    }

    public Process Exec(ContainerSpec container, ContainerContext context) =>
        Launch(["--root", RuncRoot, "exec", ContainerId(context.Pod, container.Name), .. container.Command], context.LogFile);

    /// <summary>The argv of <c>waylay exec</c>'s process, from another process than the supervisor.</summary>
    public static IReadOnlyList<string> ExecArgv(string runcRoot, string id, IReadOnlyList<string> command) =>
        [Runc, "--root", runcRoot, "exec", id, .. command];

    private static Process Launch(IReadOnlyList<string> arguments, string? logFile) =>
        ProcessLauncher.Start([Runc, .. arguments], new Dictionary<string, string> { ["PATH"] = ContainerCommand.DefaultPath }, logFile);
}
