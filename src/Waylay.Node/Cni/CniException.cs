namespace Waylay.Node.Cni;

/// <summary>
/// A plugin said no, in CNI's error form (SPEC.md, "Error"): <c>{"code", "msg", "details"}</c>. Codes 1–99 are the
/// spec's own (1 incompatible version, 2 unsupported field, 3 container unknown, 4 invalid environment, 7 invalid
/// network config, 11 try again later); 100 and up are the plugin's.
/// </summary>
internal sealed class CniException(string plugin, string command, int code, string message, string? details)
    : Exception($"CNI {command} failed in plugin '{plugin}' (code {code}): {message}{(string.IsNullOrEmpty(details) ? "" : $" ({details})")}")
{
    public string Plugin { get; } = plugin;
    public string Command { get; } = command;
    public int Code { get; } = code;
    public string PluginMessage { get; } = message;
    public string? Details { get; } = details;
}
