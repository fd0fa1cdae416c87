using System.Reflection;
using System.Reflection.Emit;
using Xunit;

namespace Waylay.Proxy.Tests;

/// <summary>
/// Issue 15's rule for <c>src/Waylay.Proxy</c>: namespaces depend on each other one way, so the folders read as the
/// path a connection takes. Every use of a type counts (signatures, base types, fields, and the tokens in method
/// bodies, compiler-made closures and state machines included), read from the compiled assembly.
/// </summary>
public sealed class NamespaceCycleTests
{
    private static readonly Assembly Proxy = typeof(Waylay.Proxy.Http.Headers.ProxyFields).Assembly;

    /// <summary>
    /// The layers of <c>src/Waylay.Proxy</c>, lowest first: a namespace uses only those listed before it, so no cycle
    /// of any length can form. The folders read in traffic order (docs/architecture.md, "The proxy"); this is the
    /// other reading, who builds on whom: the vocabulary every stage shares at the bottom (a connection, its outcome,
    /// what the proxy was told), then the decisions (routing, the endpoint choice), the codecs and pools they use, the
    /// two ways a connection is carried (TCP relay, HTTP's per-request policy and forwarding), the listeners that
    /// accept, admin at the side, and at the top the host that composes them and walks each connection's steps.
    /// A new namespace must be placed here.
    /// </summary>
    internal static readonly string[] Layers =
    [
        "Waylay.Proxy.Io",                   // the epoll loops, sockets as pipes, rented buffers, pooled async boxes
        "Waylay.Proxy.Lifecycle",            // start failures, drain/stop, the heap (and the idle pools) given back when quiet
        "Waylay.Proxy.OriginalDestination",  // where the app meant to go
        "Waylay.Proxy.LoadBalancing",        // clusters: members, health, outlier state, limits, balancers
        "Waylay.Proxy.Connections",          // one connection's context, addresses and outcome (RelayOutcome, ResponseFlags)
        "Waylay.Proxy.Configuration",        // flags, app probers, the pod, the mesh's sources (IMeshSource)
        "Waylay.Proxy.Routing",              // the route table; per connection inbound/service/passthrough, TCP or HTTP; the endpoint choice
        "Waylay.Proxy.Http.Headers",         // the proxy's own header fields and trace context
        "Waylay.Proxy.Http.Http1",           // the HTTP/1.1 codec
        "Waylay.Proxy.Pools",                // upstream connects, the HTTP/1 pool
        "Waylay.Proxy.Telemetry",            // connection counters, registry, server memory
        "Waylay.Proxy.Telemetry.Http",       // Istio's metrics, access log, Zipkin
        "Waylay.Proxy.Tcp",                  // one endpoint, connect, relay
        "Waylay.Proxy.Http.Policy",          // per request: route, fault, limits, retry (HTTP/1 and h2)
        "Waylay.Proxy.Http.Http2",           // h2c through Kestrel and YARP
        "Waylay.Proxy.Http.Forwarding",      // HTTP/1 request by request
        "Waylay.Proxy.Http",                 // a connection found to be HTTP
        "Waylay.Proxy.Listeners",            // accept (capture ports, gateway ports)
        "Waylay.Proxy.Admin",                // 127.0.0.1:15000 and the health port
        "Waylay.Proxy.Admin.AppProbes",      // the app's probes, rewritten by the injector
        "Waylay.Proxy",                      // the host and each connection's steps (ConnectionHandler)
    ];

    [Fact]
    public void ProxyNamespaces_UseOnlyLowerLayers()
    {
        var graph = Dependencies();
        var unplaced = graph.Keys.Where(n => IsProxy(n) && !Layers.Contains(n)).Order(StringComparer.Ordinal).ToList();
        Assert.True(unplaced.Count == 0, "namespaces not placed in NamespaceCycleTests.Layers (add each where it belongs): " + string.Join(", ", unplaced));

        var upward = new List<string>();
        foreach (var (from, tos) in graph.Where(g => IsProxy(g.Key)))
        {
            foreach (var to in tos.Where(IsProxy).Where(t => Array.IndexOf(Layers, t) > Array.IndexOf(Layers, from)).Order(StringComparer.Ordinal))
            {
                upward.Add($"{from} → {to} ({Why(from, to)})");
            }
        }

        Assert.True(upward.Count == 0, "namespaces that use a layer above their own (move the concept down, or reorder Layers if the design changed):\n"
            + string.Join("\n", upward));
    }

    /// <summary>Any cycle, whatever its length, named by its members (Tarjan's strongly connected components).</summary>
    [Fact]
    public void ProxyNamespaces_FormNoCycle()
    {
        var graph = Dependencies();
        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).Select(c => string.Join(" → ", c.Order(StringComparer.Ordinal))).ToList();
        var pairs = new List<string>();
        foreach (var (from, tos) in graph)
        {
            foreach (var to in tos.Where(t => string.CompareOrdinal(from, t) < 0 && graph.TryGetValue(t, out var back) && back.Contains(from)))
            {
                pairs.Add($"{from} ↔ {to} ({Why(from, to)}; back: {Why(to, from)})");
            }
        }

        Assert.True(cycles.Count == 0, "namespaces that use each other in a circle (move the concept to where it belongs):\n"
            + string.Join("\n", cycles) + (pairs.Count > 0 ? "\nboth ways:\n" + string.Join("\n", pairs) : ""));
    }

    private static bool IsProxy(string ns) => ns == "Waylay.Proxy" || ns.StartsWith("Waylay.Proxy.", StringComparison.Ordinal);

    private static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();
        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in graph.TryGetValue(node, out var tos) ? tos : [])
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (var node in graph.Keys.ToList())
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return components;
    }

    /// <summary>The cycle issue 15 left: the HTTP/1 view of the trace fields lives with its codec, as h2's does.</summary>
    [Fact]
    public void HttpHeaders_KnowsNoCodec()
    {
        var graph = Dependencies();
        Assert.Contains("Waylay.Proxy.Http.Headers", graph["Waylay.Proxy.Http.Http1"]);
        Assert.DoesNotContain("Waylay.Proxy.Http.Http1", graph["Waylay.Proxy.Http.Headers"]);
        Assert.DoesNotContain("Waylay.Proxy.Http.Http2", graph["Waylay.Proxy.Http.Headers"]);
    }

    private static Dictionary<string, HashSet<string>> Dependencies()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var type in Proxy.GetTypes())
        {
            var from = NamespaceOf(type);
            var tos = graph.TryGetValue(from, out var set) ? set : graph[from] = new HashSet<string>(StringComparer.Ordinal);
            foreach (var used in Used(type))
            {
                if (used.Assembly == Proxy && NamespaceOf(used) is var to && to != from)
                {
                    tos.Add(to);
                }
            }
        }

        return graph;
    }

    /// <summary>A type of <paramref name="from"/> that uses one of <paramref name="to"/> (for the failure message).</summary>
    private static string Why(string from, string to) =>
        Proxy.GetTypes().Where(t => NamespaceOf(t) == from)
            .Select(t => (t, used: Used(t).FirstOrDefault(u => !u.HasElementType && u.Assembly == Proxy && NamespaceOf(u) == to)))
            .Where(p => p.used is not null).Select(p => $"{Outer(p.t).Name} → {Outer(p.used!).Name}").FirstOrDefault() ?? "via others";

    private static Type Outer(Type type) => type.DeclaringType is { } declaring ? Outer(declaring) : type;

    private static string NamespaceOf(Type type) => Outer(type).Namespace ?? "";

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<Type> Used(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || t.IsGenericParameter || !found.Add(t))
            {
                return;
            }

            if (t.HasElementType)
            {
                Add(t.GetElementType());
            }

            if (t.IsGenericType)
            {
                foreach (var argument in t.GetGenericArguments())
                {
                    Add(argument);
                }

                Add(t.GetGenericTypeDefinition());
            }
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces())
        {
            Add(i);
        }

        foreach (var field in type.GetFields(All))
        {
            Add(field.FieldType);
        }

        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
            }

            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }

            foreach (var token in Tokens(method))
            {
                Add(token);
            }
        }

        return found;
    }

    private static readonly Dictionary<short, OpCode> OpCodeTable = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The types a method body names: the declaring types of the fields and methods it uses, and the types it names.</summary>
    private static IEnumerable<Type> Tokens(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            var code = il[i] == 0xFE ? OpCodeTable[(short)(0xFE00 | il[i + 1])] : OpCodeTable[il[i]];
            i += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineType or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, i);
                    MemberInfo? member = null;
                    try
                    {
                        member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                    }
                    catch (ArgumentException)
                    {
                    }

                    if (member is Type t)
                    {
                        yield return t;
                    }
                    else if (member?.DeclaringType is { } declaring)
                    {
                        yield return declaring;
                        if (member is MethodInfo { IsGenericMethod: true } generic)
                        {
                            foreach (var argument in generic.GetGenericArguments())
                            {
                                yield return argument;
                            }
                        }
                    }

                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
