using Waylay.Mesh.Networking;

namespace Waylay.Proxy.Routing;

internal enum HeaderEditKind
{
    Remove,

    /// <summary>Replace every value (or add when absent).</summary>
    Set,

    /// <summary>Append one more value.</summary>
    Add,
}

/// <summary>One step of a header mutation; a route's steps are flattened once, in the order Envoy applies them.</summary>
internal readonly record struct HeaderEdit(HeaderEditKind Kind, string Name, string Value);

/// <summary>
/// Header edits for one route and destination, flattened at build time: the destination's own edits first, then
/// the route's (Envoy applies the most specific level first, so the route's <c>set</c> has the last word), each
/// level as remove, then set, then add.
/// </summary>
internal sealed class HeaderEdits
{
    public static HeaderEdits None { get; } = new([]);

    private HeaderEdits(HeaderEdit[] edits)
    {
        Edits = edits;

        // The sequence is fixed per route, so its effect is too: which received fields it hides, and which fields it
        // leaves added at the end. A forwarder then writes "received minus Masked, plus Added" with no per-request work.
        var masked = new List<string>();
        var added = new List<KeyValuePair<string, string>>();
        foreach (var edit in edits)
        {
            if (edit.Kind != HeaderEditKind.Add)
            {
                if (!masked.Contains(edit.Name))
                {
                    masked.Add(edit.Name);
                }

                added.RemoveAll(a => a.Key == edit.Name);
            }

            if (edit.Kind != HeaderEditKind.Remove)
            {
                added.Add(new(edit.Name, edit.Value));
            }
        }

        Masked = [.. masked];
        Added = [.. added];
    }

    public IReadOnlyList<HeaderEdit> Edits { get; }

    /// <summary>Received fields these edits remove or replace (lower-case names).</summary>
    public string[] Masked { get; }

    /// <summary>Fields the edits leave added, in order, after every removal and replacement.</summary>
    public KeyValuePair<string, string>[] Added { get; }

    public bool IsEmpty => Edits.Count == 0;

    public static HeaderEdits Flatten(HeaderMutation destination, HeaderMutation route)
    {
        if (destination.IsEmpty && route.IsEmpty)
        {
            return None;
        }

        var edits = new List<HeaderEdit>();
        foreach (var level in (ReadOnlySpan<HeaderMutation>)[destination, route])
        {
            foreach (var name in level.Remove)
            {
                edits.Add(new HeaderEdit(HeaderEditKind.Remove, name, ""));
            }

            foreach (var (name, value) in level.Set)
            {
                edits.Add(new HeaderEdit(HeaderEditKind.Set, name, value));
            }

            foreach (var (name, value) in level.Add)
            {
                edits.Add(new HeaderEdit(HeaderEditKind.Add, name, value));
            }
        }

        return new HeaderEdits([.. edits]);
    }

    /// <summary>Applies the edits to a header list (names compared case-insensitively), e.g. the h2 path's or a synthetic response's.</summary>
    public void Apply(List<KeyValuePair<string, string>> headers)
    {
        foreach (var edit in Edits)
        {
            switch (edit.Kind)
            {
                case HeaderEditKind.Remove:
                    headers.RemoveAll(h => h.Key.Equals(edit.Name, StringComparison.OrdinalIgnoreCase));
                    break;
                case HeaderEditKind.Set:
                    var at = headers.FindIndex(h => h.Key.Equals(edit.Name, StringComparison.OrdinalIgnoreCase));
                    headers.RemoveAll(h => h.Key.Equals(edit.Name, StringComparison.OrdinalIgnoreCase));
                    headers.Insert(at < 0 ? headers.Count : Math.Min(at, headers.Count), new(edit.Name, edit.Value));
                    break;
                default:
                    headers.Add(new(edit.Name, edit.Value));
                    break;
            }
        }
    }
}
