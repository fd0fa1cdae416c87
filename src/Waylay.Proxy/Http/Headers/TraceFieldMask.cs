using System.Runtime.CompilerServices;
using Waylay.Mesh.Networking;
using Waylay.Proxy.Routing;

namespace Waylay.Proxy.Http.Headers;

/// <summary>
/// <c>Http1HeadWriter</c> hides exactly the received fields a route's <see cref="HeaderEdits.Masked"/> names. To replace
/// the caller's trace fields without a second mask in the writer, this builds, once per route edits object, an
/// equivalent <see cref="HeaderEdits"/> that also hides <see cref="TraceFieldNames.Replaced"/>: level one removes
/// everything the route masked plus the trace fields, level two adds what the route added, so the writer's
/// "received minus Masked, plus Added" is unchanged for every other field. Cached per instance: no per-request work.
/// </summary>
internal static class TraceFieldMask
{
    private static readonly ConditionalWeakTable<HeaderEdits, HeaderEdits> Cache = new();

    public static HeaderEdits For(HeaderEdits routeEdits) => Cache.GetValue(routeEdits, static edits => Build(edits));

    private static HeaderEdits Build(HeaderEdits edits)
    {
        var remove = new List<string>(edits.Masked);
        foreach (var name in TraceFieldNames.Replaced)
        {
            if (!remove.Contains(name))
            {
                remove.Add(name);
            }
        }

        return HeaderEdits.Flatten(new HeaderMutation([], [], remove), new HeaderMutation([], edits.Added, []));
    }
}
