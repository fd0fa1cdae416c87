using System.Text.RegularExpressions;

namespace Waylay.Mesh.Networking;

/// <summary>How a <see cref="StringMatch"/> compares (Istio's <c>StringMatch</c> oneof, plus the empty matcher).</summary>
public enum StringMatchKind
{
    Exact,
    Prefix,

    /// <summary>RE2-style, anchored at both ends (Envoy's <c>safe_regex</c> matches the whole value).</summary>
    Regex,

    /// <summary>An empty matcher (<c>end-user: {}</c>): the header only has to be present.</summary>
    Present,
}

/// <summary>
/// One string condition of a match, its regex compiled once when the config is read. Regexes use .NET's
/// non-backtracking engine: like RE2 (which Istio specifies) it runs in linear time, so a rule can never be used to
/// burn the proxy's CPU, and like RE2 it has no backreferences or lookarounds.
/// </summary>
public sealed record StringMatch(StringMatchKind Kind, string Value, Regex? Pattern = null)
{
    public static StringMatch Present { get; } = new(StringMatchKind.Present, "");

    public bool Matches(string? value) => value is not null && Kind switch
    {
        StringMatchKind.Exact => string.Equals(value, Value, StringComparison.Ordinal),
        StringMatchKind.Prefix => value.StartsWith(Value, StringComparison.Ordinal),
        StringMatchKind.Regex => Pattern!.IsMatch(value),
        _ => true,
    };

    /// <summary>Compiles an Istio regex anchored like Envoy's full match; null with the reason when it does not compile.</summary>
    public static Regex? CompileRegex(string pattern, out string? error)
    {
        try
        {
            error = null;
            return new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return null;
        }
    }

    public override string ToString() => Kind == StringMatchKind.Present ? "present" : $"{Kind.ToString().ToLowerInvariant()} '{Value}'";
}
