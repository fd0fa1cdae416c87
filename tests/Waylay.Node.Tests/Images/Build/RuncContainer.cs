using System.Diagnostics;
using System.Text.Json.Nodes;
using Waylay.Linux;
using Waylay.TestKit;

namespace Waylay.Node.Tests.Images.Build;

/// <summary>
/// One container of the built image run by <c>runc</c> (no containerd) in a test's pod namespace, configured the way a
/// kubelet would from the injected container's securityContext: its args after the image's entrypoint, its uid/gid,
/// exactly the capabilities it adds (all others dropped), a read-only root when asked. Named <c>wl-&lt;run&gt;-ctrN</c>;
/// disposing kills and deletes the container and removes its bundle, also when the test failed.
/// </summary>
public sealed class RuncContainer : IAsyncDisposable
{
    private Process? _process;

    private RuncContainer(string id, string bundle)
    {
        Id = id;
        Bundle = bundle;
    }

    public string Id { get; }

    public string Bundle { get; }

    public static async Task<RuncContainer> CreateAsync(
        BuiltImage image, TestNamespace pod, IReadOnlyList<string> args, uint uid, uint gid, IReadOnlyList<string> capabilities, bool readOnlyRoot,
        IReadOnlyList<(string Source, string Destination)>? mounts = null)
    {
        var id = RunId.Next("ctr");
        var container = new RuncContainer(id, Path.Combine(Path.GetTempPath(), id));
        try
        {
            await image.UnpackAsync(container.Bundle);
            var path = Path.Combine(container.Bundle, "config.json");
            var config = JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject();
            var process = config["process"]!.AsObject();
            process["terminal"] = false;
            var entrypoint = process["args"]!.AsArray().Select(a => a!.GetValue<string>());
            process["args"] = new JsonArray([.. entrypoint.Concat(args).Select(a => JsonValue.Create(a))]);
            process["user"] = new JsonObject { ["uid"] = uid, ["gid"] = gid };
            var caps = capabilities.Select(c => "CAP_" + c).ToArray();
            process["capabilities"] = new JsonObject
            {
                ["bounding"] = new JsonArray([.. caps.Select(c => JsonValue.Create(c))]),
                ["effective"] = new JsonArray([.. caps.Select(c => JsonValue.Create(c))]),
                ["permitted"] = new JsonArray([.. caps.Select(c => JsonValue.Create(c))]),
            };
            config["root"] = new JsonObject { ["path"] = "rootfs", ["readonly"] = readOnlyRoot };
            // A pod's volumes (a Secret, a ConfigMap) as the kubelet mounts them: a read-only bind of a host directory.
            foreach (var (source, destination) in mounts ?? [])
            {
                config["mounts"]!.AsArray().Add((JsonNode)new JsonObject
                {
                    ["destination"] = destination,
                    ["type"] = "bind",
                    ["source"] = source,
                    ["options"] = new JsonArray("rbind", "ro"),
                });
            }

            foreach (var ns in config["linux"]!["namespaces"]!.AsArray())
            {
                if (ns!["type"]!.GetValue<string>() == "network")
                {
                    ns["path"] = pod.Path; // the pod's namespace, as the CNI set it up: every container of a pod shares it
                }
            }

            await File.WriteAllTextAsync(path, config.ToJsonString());
            return container;
        }
        catch
        {
            await container.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs the container to its exit (an init container).</summary>
    public Task<ExecResult> RunAsync(CancellationToken cancellationToken = default) =>
        Exec.RunAsync("runc", ["run", "--bundle", Bundle, Id], null, cancellationToken);

    /// <summary>Starts a long-running container (the proxy); runc stays its parent until it exits.</summary>
    public Process Start()
    {
        var start = new ProcessStartInfo("runc") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "run", "--bundle", Bundle, Id })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        return _process;
    }

    /// <summary>Waits until runc reports the started container running; throws with runc's output if it exits first.</summary>
    public async Task WaitRunningAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"container {Id} exited ({_process.ExitCode}): {await _process.StandardError.ReadToEndAsync()}{await _process.StandardOutput.ReadToEndAsync()}");
            }

            var state = await Exec.RunAsync("runc", ["state", Id], null);
            if (state.Succeeded && JsonNode.Parse(state.StandardOutput)?["status"]?.GetValue<string>() == "running")
            {
                return;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"container {Id} was not running within 30 s");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Exec.RunAsync("runc", ["kill", Id, "KILL"], null);
            await Exec.RunAsync("runc", ["delete", "--force", Id], null);
            if (_process is not null)
            {
                await _process.WaitForExitAsync();
                _process.Dispose();
            }
        }
        finally
        {
            if (Directory.Exists(Bundle))
            {
                Directory.Delete(Bundle, recursive: true);
            }
        }
    }
}
