using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;
using Spectre.Console;
using Waylay.Commands;
using Waylay.Diagnostics.Pods;
using Waylay.Diagnostics.Proxy;
using Waylay.Node.State;

namespace Waylay.Cli.Commands.Diagnostics;

/// <summary>
/// <c>waylay proxy-config POD listeners|routes|clusters|endpoints|all</c>: the sidecar's live config from its admin
/// API, as <c>istioctl proxy-config</c> prints Envoy's (istioctl's order, TYPE before POD, is taken too).
/// </summary>
internal static class ProxyConfigCommand
{
    private static readonly string Kinds = string.Join("|", Enum.GetNames<ProxyConfigKind>().Select(k => k.ToLowerInvariant()));

    public static Command Create()
    {
        var first = new Argument<string>("pod") { Description = "The pod: its name, a unique prefix of it, or its app label (e.g. productpage); or a proxy's admin address (127.0.0.1:15000) reached from here" };
        var second = new Argument<string?>("type") { Description = $"What to show: {Kinds}", Arity = ArgumentArity.ZeroOrOne };
        var kubeNamespace = new Option<string?>("--namespace", "-n") { Description = "The pod's namespace (default: any)", HelpName = "namespace" };
        var run = new Option<string?>("--run", "--mesh") { Description = "The run (waylay up --run ID); default: the only live one" };
        var output = ConfigOutput.Option();
        var command = new Command("proxy-config", "Show a sidecar's live listeners, routes (VirtualServices as it holds them), clusters (subsets, policies) and endpoints (health, labels), with its config version and its discovery stream's ACK/NACK state, from its admin API (istioctl proxy-config).")
        {
            first, second, kubeNamespace, run, output,
        };
        command.SetAction((parse, cancellationToken) => PodTarget.GuardAsync(async () =>
        {
            var (podName, kind) = PodAndKind(parse.GetValue(first)!, parse.GetValue(second));
            var (dump, where) = await ReadAsync(podName, parse.GetValue(run), parse.GetValue(kubeNamespace), cancellationToken);
            if (ConfigOutput.TryWriteStructured(parse.GetValue(output).Value, ProxyConfigTables.Select(dump, kind)))
            {
                return CliHost.Ok;
            }

            var console = PodTarget.Console();
            console.MarkupLine(Markup.Escape($"{where}: {ProxyConfigTables.Summary(dump)}"));
            foreach (var table in ProxyConfigTables.Tables(dump, kind))
            {
                ConfigOutput.WriteTable(console, table, titled: kind == ProxyConfigKind.All);
            }

            return CliHost.Ok;
        }));
        return command;
    }

    /// <summary>The dump and what to call its proxy: a pod of a run, or an admin address (host:port) reached from here.</summary>
    private static async Task<(JsonObject Dump, string Where)> ReadAsync(string target, string? run, string? kubeNamespace, CancellationToken cancellationToken)
    {
        if (IPEndPoint.TryParse(target, out var admin) && admin.Port != 0)
        {
            return (await ProxyAdmin.ConfigDumpAsync(admin, cancellationToken), $"proxy {admin}");
        }

        var pod = PodLookup.Find(PodLookup.RunDirectory(run), target, kubeNamespace);
        return (await ProxyAdmin.ConfigDumpAsync(new PodNetwork(pod), cancellationToken), $"pod {pod} {pod.Address} (run {pod.RunId})");
    }

    /// <summary>POD TYPE (the brief's order) or TYPE POD (istioctl's); a missing or unknown TYPE is a usage error naming the choices.</summary>
    private static (string Pod, ProxyConfigKind Kind) PodAndKind(string first, string? second)
    {
        if (Kind(first) is { } leading && second is not null)
        {
            return (second, leading);
        }

        if (second is null)
        {
            throw new UsageException($"proxy-config {first}: name what to show after the pod: waylay proxy-config {first} {Kinds}");
        }

        return Kind(second) is { } kind
            ? (first, kind)
            : throw new UsageException($"proxy-config: '{second}' is not a config type; use one of {Kinds} (e.g. waylay proxy-config {first} routes)");
    }

    private static ProxyConfigKind? Kind(string text) =>
        Enum.TryParse<ProxyConfigKind>(text, ignoreCase: true, out var kind) && !int.TryParse(text, out _) ? kind : null;
}
