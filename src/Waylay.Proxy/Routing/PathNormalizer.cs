using System.Text;

namespace Waylay.Proxy.Routing;

/// <summary>
/// The path normalization Istio turns on by default (<c>pathNormalization: BASE</c>, Envoy's <c>normalize_path</c>,
/// which canonicalizes like Chromium's URL parser): <c>\</c> becomes <c>/</c>, <c>%2E</c> counts as a dot, percent
/// escapes get upper-case hex, and dot segments are removed (RFC 3986 §5.2.4), never above the root. Routes match
/// the normalized path and the upstream receives it, so <c>/public/../admin</c> can neither dodge a rule on
/// <c>/admin</c> nor reach the app as anything else. Slashes are not merged (that is Istio's MERGE_SLASHES, not BASE).
/// The query is left as it came. A path that needs no change is returned as the same string: no allocation.
/// </summary>
internal static class PathNormalizer
{
    public static string Normalize(string pathAndQuery)
    {
        var queryStart = pathAndQuery.IndexOf('?');
        var path = queryStart < 0 ? pathAndQuery.AsSpan() : pathAndQuery.AsSpan(0, queryStart);
        if (path.IsEmpty || path[0] != '/' || !NeedsWork(path))
        {
            return pathAndQuery;
        }

        // :: canonical characters: '\' → '/', %2E → '.', %xx → %XX
        var canonical = new StringBuilder(path.Length);
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '\\')
            {
                canonical.Append('/');
            }
            else if (c == '%' && i + 2 < path.Length && char.IsAsciiHexDigit(path[i + 1]) && char.IsAsciiHexDigit(path[i + 2]))
            {
                if (path[i + 1] == '2' && path[i + 2] is 'e' or 'E')
                {
                    canonical.Append('.');
                }
                else
                {
                    canonical.Append('%').Append(char.ToUpperInvariant(path[i + 1])).Append(char.ToUpperInvariant(path[i + 2]));
                }

                i += 2;
            }
            else
            {
                canonical.Append(c);
            }
        }

        // :: remove dot segments, segment by segment (RFC 3986 §5.2.4 on an absolute path)
        var segments = new List<string>();
        var text = canonical.ToString();
        var parts = text.Split('/');
        for (var i = 1; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            switch (parts[i])
            {
                case ".":
                    if (last)
                    {
                        segments.Add("");
                    }

                    break;
                case "..":
                    if (segments.Count > 0)
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }

                    if (last)
                    {
                        segments.Add("");
                    }

                    break;
                default:
                    segments.Add(parts[i]);
                    break;
            }
        }

        var result = "/" + string.Join('/', segments);
        return queryStart < 0 ? result : result + pathAndQuery[queryStart..];
    }

    private static bool NeedsWork(ReadOnlySpan<char> path)
    {
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '\\')
            {
                return true;
            }

            if (c == '%' && i + 2 < path.Length && (path[i + 1] is >= 'a' and <= 'f' || path[i + 2] is >= 'a' and <= 'f' || (path[i + 1] == '2' && path[i + 2] is 'E')))
            {
                return true;
            }

            if (c == '.' && path[i - 1] == '/' && (i + 1 == path.Length || path[i + 1] == '/' || (path[i + 1] == '.' && (i + 2 == path.Length || path[i + 2] == '/'))))
            {
                return true;
            }
        }

        return false;
    }
}
