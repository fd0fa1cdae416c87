using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Waylay.Node.Cni;

/// <summary>
/// Runs one CNI plugin as the spec says (SPEC.md, "Execution protocol"): the operation in <c>CNI_COMMAND</c>, the
/// sandbox in <c>CNI_CONTAINERID</c>/<c>CNI_NETNS</c>/<c>CNI_IFNAME</c>, the plugin directory in <c>CNI_PATH</c>
/// (IPAM plugins are found there), the network config on stdin, the result or a CNI error on stdout.
/// The plugin runs inside the node's network namespace (nsenter --net): the bridge plugin takes the namespace it
/// runs in as the "host" side, so the bridge and the host ends of the veths are made there, never in the machine's
/// root namespace.
/// </summary>
internal sealed class CniPluginRunner(string pluginDirectory, string nodeNamespacePath)
{
    public async Task<JsonObject?> RunAsync(
        string command, JsonObject config, CniSandbox sandbox, CancellationToken cancellationToken)
    {
        var type = (string?)config["type"] ?? throw new InvalidOperationException("a CNI plugin config without 'type'");
        var plugin = Path.Combine(pluginDirectory, type);
        if (!File.Exists(plugin))
        {
            throw new CniException(type, command, 7, $"no plugin '{type}' in {pluginDirectory}",
                "install the standard plugins: apt-get install containernetworking-plugins");
        }

        var start = new ProcessStartInfo("nsenter")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in (string[])["--net=" + nodeNamespacePath, "--", plugin])
        {
            start.ArgumentList.Add(argument);
        }

        // Only the CNI variables and a PATH: the plugin must not see the caller's environment (CNI_ARGS left over…).
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        start.Environment["CNI_COMMAND"] = command;
        start.Environment["CNI_CONTAINERID"] = sandbox.ContainerId;
        start.Environment["CNI_NETNS"] = sandbox.NetnsPath;
        start.Environment["CNI_IFNAME"] = sandbox.InterfaceName;
        start.Environment["CNI_PATH"] = pluginDirectory;
        start.Environment["CNI_ARGS"] = sandbox.Args;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start nsenter");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.StandardInput.WriteAsync(config.ToJsonString().AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The plugin (or nsenter before it) exited without reading its config: its exit code and stderr say why.
        }

        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = (await stdout).Trim();
        var errors = (await stderr).Trim();

        if (process.ExitCode != 0)
        {
            throw Failure(type, command, output, errors, process.ExitCode);
        }

        return output.Length == 0 ? null : JsonNode.Parse(output)?.AsObject();
    }

    private static CniException Failure(string type, string command, string output, string errors, int exitCode)
    {
        try
        {
            if (output.Length > 0 && JsonNode.Parse(output) is JsonObject error && error["code"] is not null)
            {
                return new CniException(type, command, (int)error["code"]!, (string?)error["msg"] ?? "",
                    (string?)error["details"] is { Length: > 0 } details ? details : errors);
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // not CNI's error form: fall through to the raw output
        }

        return new CniException(type, command, 999, $"exited with {exitCode}", $"{output} {errors}".Trim());
    }
}
