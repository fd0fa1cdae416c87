namespace Waylay.Mesh.Networking;

/// <summary>Istio's <c>headers: {request: …, response: …}</c>.</summary>
public sealed record HeaderOperations(HeaderMutation Request, HeaderMutation Response)
{
    public static HeaderOperations None { get; } = new(HeaderMutation.None, HeaderMutation.None);

    public bool IsEmpty => Request.IsEmpty && Response.IsEmpty;
}

/// <summary>
/// <c>set</c> (replace every value), <c>add</c> (append one more value) and <c>remove</c>; names lower-case.
/// Envoy applies removals first, then the additions, which is the order <see cref="Set"/>/<see cref="Add"/> keep.
/// </summary>
public sealed record HeaderMutation(
    IReadOnlyList<KeyValuePair<string, string>> Set,
    IReadOnlyList<KeyValuePair<string, string>> Add,
    IReadOnlyList<string> Remove)
{
    public static HeaderMutation None { get; } = new([], [], []);

    public bool IsEmpty => Set.Count == 0 && Add.Count == 0 && Remove.Count == 0;
}
