namespace Waylay.Proxy.Admin;

/// <summary>One request to an admin port: method, path (query removed) and the header fields as sent, in order.</summary>
internal sealed record AdminRequest(string Method, string Path, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    /// <summary>The first value of a field (names compare case-insensitively), or null.</summary>
    public string? Header(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}
