namespace Waylay.Mesh.Networking;

/// <summary>
/// One <c>http[].match[]</c> block: every condition in it must hold (AND); the blocks of a route are alternatives
/// (OR); an empty block matches every request. Header names are stored lower-case (HTTP field names are
/// case-insensitive).
/// </summary>
public sealed record HttpMatchRequest(
    string? Name,
    StringMatch? Uri,
    StringMatch? Method,
    IReadOnlyList<HeaderMatch> Headers,
    ushort? Port)
{
    public static HttpMatchRequest Any { get; } = new(null, null, null, [], null);
}

/// <summary>A condition on one request header (name lower-case).</summary>
public sealed record HeaderMatch(string Name, StringMatch Match);
