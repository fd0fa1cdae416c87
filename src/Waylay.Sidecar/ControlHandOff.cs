using Waylay.Linux;

namespace Waylay.Sidecar;

/// <summary>
/// The image's one entrypoint, <c>/usr/local/bin/waylay</c>, links to this binary; the install manifests run the
/// control plane and the webhook from the same image with <c>args: [control, …]</c> and <c>[webhook, …]</c>. Those
/// two live in their own NativeAOT binary, <c>waylay-control</c> (src/Waylay.ControlHost), beside this one, so a pod's
/// sidecar does not carry Kubernetes' client and the control plane does not carry the proxy: this execs it with the
/// same argv (same pid, so the runtime's SIGTERM reaches it).
/// </summary>
internal static class ControlHandOff
{
    public const string BinaryName = "waylay-control";

    /// <summary>Returns only when the command is not one of waylay-control's; otherwise execs it or exits saying why not.</summary>
    public static void ExecIfControl(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("control" or "webhook"))
        {
            return;
        }

        var control = Path.Combine(AppContext.BaseDirectory, BinaryName);
        if (!File.Exists(control))
        {
            Console.Error.WriteLine($"waylay: '{args[0]}' is served by {BinaryName}, which is not installed beside this binary ({control}); rebuild the image with 'waylay image build' (it ships both).");
            Environment.Exit(2);
        }

        var errno = Unistd.Execute(control, [control, .. args]);
        Console.Error.WriteLine($"waylay: could not start {control} (errno {errno}); make it executable.");
        Environment.Exit(1);
    }
}
