using Waylay.Linux;

namespace Waylay.Cli;

/// <summary>
/// <c>waylay proxy …</c> and <c>waylay capture …</c> become the NativeAOT build when <c>waylay-proxy</c> is installed
/// beside the CLI (the image layout: both in one directory): the injected containers keep Istio's shape,
/// <c>args: [proxy, …]</c> and <c>args: [capture, …]</c> to the image's <c>waylay</c>, and still run the build that
/// starts in milliseconds and idles in a fraction of the memory (capture, which every pod start waits for, costs a
/// tenth of its JIT time). execv keeps the pid, so the container runtime's SIGTERM reaches the sidecar itself.
/// <c>WAYLAY_PROXY_JIT=1</c> keeps both in this process. (The launcher runs <c>.build/sidecar/waylay-proxy</c>
/// directly and skips this JIT start.)
/// </summary>
internal static class SidecarHandOff
{
    public const string BinaryName = "waylay-proxy";
    public const string StayVariable = "WAYLAY_PROXY_JIT";

    /// <summary>Returns only when there is nothing to hand off to, or the exec failed (then says so).</summary>
    public static void ExecIfInstalled(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("proxy" or "capture") || Environment.GetEnvironmentVariable(StayVariable) == "1")
        {
            return;
        }

        var sidecar = Path.Combine(AppContext.BaseDirectory, BinaryName);
        if (!File.Exists(sidecar))
        {
            return;
        }

        var errno = Unistd.Execute(sidecar, [sidecar, .. args]);
        Console.Error.WriteLine($"waylay: could not start {sidecar} (errno {errno}); running '{args[0]}' in this process (JIT) instead. Make it executable, or set {StayVariable}=1 to skip it.");
    }
}
