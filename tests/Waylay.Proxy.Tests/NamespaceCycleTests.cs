using System.Reflection;
using System.Reflection.Emit;
using Xunit;

namespace Waylay.Proxy.Tests;

/// <summary>
/// Issue 15's rule for <c>src/Waylay.Proxy</c>: namespaces depend on each other one way, so the folders read as the
/// path a connection takes. Every use of a type counts (signatures, base types, fields, and the tokens in method
/// bodies, compiler-made closures and state machines included), read from the compiled assembly. Measured so, the
/// pairs below still use each other both ways (mostly <c>Waylay.Proxy</c>'s <c>ConnectionContext</c> and friends
/// against its sub-namespaces); the test lets none be added, and a pair broken is taken off the list.
/// </summary>
public sealed class NamespaceCycleTests
{
    private static readonly Assembly Proxy = typeof(Waylay.Proxy.Http.Headers.ProxyFields).Assembly;

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "Waylay.Proxy ↔ Waylay.Proxy.Admin",
        "Waylay.Proxy ↔ Waylay.Proxy.Admin.AppProbes",
        "Waylay.Proxy ↔ Waylay.Proxy.Http",
        "Waylay.Proxy ↔ Waylay.Proxy.Http.Forwarding",
        "Waylay.Proxy ↔ Waylay.Proxy.Http.Http2",
        "Waylay.Proxy ↔ Waylay.Proxy.Listeners",
        "Waylay.Proxy ↔ Waylay.Proxy.Pools",
        "Waylay.Proxy ↔ Waylay.Proxy.Routing",
        "Waylay.Proxy ↔ Waylay.Proxy.Tcp",
        "Waylay.Proxy ↔ Waylay.Proxy.Telemetry",
        "Waylay.Proxy ↔ Waylay.Proxy.Telemetry.Http",
        "Waylay.Proxy.Http ↔ Waylay.Proxy.Http.Forwarding",
        "Waylay.Proxy.Http ↔ Waylay.Proxy.Http.Http2",
        "Waylay.Proxy.Http ↔ Waylay.Proxy.Listeners",
        "Waylay.Proxy.Listeners ↔ Waylay.Proxy.Routing",
        "Waylay.Proxy.Listeners ↔ Waylay.Proxy.Telemetry",
    };

    [Fact]
    public void ProxyNamespaces_AddNoCycle()
    {
        var graph = Dependencies();
        var added = new List<string>();
        foreach (var (from, tos) in graph)
        {
            foreach (var to in tos.Where(t => string.CompareOrdinal(from, t) < 0 && graph.TryGetValue(t, out var back) && back.Contains(from)))
            {
                if (!Known.Contains($"{from} ↔ {to}"))
                {
                    added.Add($"{from} ↔ {to} ({Why(from, to)}; back: {Why(to, from)})");
                }
            }
        }

        Assert.True(added.Count == 0, "namespaces that now use each other both ways (move the concept to where it belongs):\n" + string.Join("\n", added));
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
