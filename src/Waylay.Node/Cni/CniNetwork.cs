using System.Text.Json.Nodes;

namespace Waylay.Node.Cni;

/// <summary>
/// Executes a network configuration list as libcni does (libcni/api.go: AddNetworkList, CheckNetworkList,
/// DelNetworkList): each plugin gets its own config with the list's <c>name</c> and <c>cniVersion</c> added;
/// ADD runs the plugins in order, each getting the previous one's result as <c>prevResult</c>, and the last result is
/// the sandbox's; CHECK runs them in order and DEL in reverse, each with that cached ADD result as
/// <c>prevResult</c> (the cache is the pod's state record, not /var/lib/cni).
/// </summary>
internal sealed class CniNetwork(JsonObject list, CniPluginRunner runner)
{
    public string Name => (string)list["name"]!;

    public async Task<CniResult> AddAsync(CniSandbox sandbox, CancellationToken cancellationToken)
    {
        JsonObject? previous = null;
        foreach (var plugin in Plugins())
        {
            var result = await runner.RunAsync("ADD", Config(plugin, previous), sandbox, cancellationToken);
            previous = result ?? throw new CniException((string)plugin["type"]!, "ADD", 999, "printed no result", null);
        }

        return CniResult.Parse(previous!);
    }

    public async Task CheckAsync(CniSandbox sandbox, CniResult added, CancellationToken cancellationToken)
    {
        foreach (var plugin in Plugins())
        {
            await runner.RunAsync("CHECK", Config(plugin, added.Raw), sandbox, cancellationToken);
        }
    }

    /// <summary>
    /// DEL in reverse order. The spec asks plugins to succeed when what they should remove is already gone, so this is
    /// safe to repeat (teardown after a crash may run it for a sandbox that was half made).
    /// </summary>
    public async Task DeleteAsync(CniSandbox sandbox, CniResult? added, CancellationToken cancellationToken)
    {
        var plugins = Plugins();
        for (var i = plugins.Count - 1; i >= 0; i--)
        {
            await runner.RunAsync("DEL", Config(plugins[i], added?.Raw), sandbox, cancellationToken);
        }
    }

    private List<JsonObject> Plugins() => [.. list["plugins"]!.AsArray().Select(p => p!.AsObject())];

    private JsonObject Config(JsonObject plugin, JsonObject? previous)
    {
        var config = plugin.DeepClone().AsObject();
        config["name"] = Name;
        config["cniVersion"] = (string)list["cniVersion"]!;
        if (previous is not null)
        {
            config["prevResult"] = previous.DeepClone();
        }

        return config;
    }
}
