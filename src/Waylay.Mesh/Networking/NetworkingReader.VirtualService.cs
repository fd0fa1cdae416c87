using YamlDotNet.RepresentationModel;
using Waylay.Mesh.Yaml;

namespace Waylay.Mesh.Networking;

public static partial class NetworkingReader
{
    private static VirtualService ReadVirtualService(YamlNodeReader r, YamlMappingNode spec, string name, string ns)
    {
        r.Supported(spec, "spec", "hosts", "gateways", "http", "tcp", "exportTo");
        // Read first: whether "*" is allowed depends on where the VirtualService applies.
        var gateways = ReadGatewayNames(r, spec, ns);
        var appliesToMesh = gateways.Count == 0 || gateways.Contains(VirtualService.MeshGateway);
        var hosts = new List<string>();
        var written = r.Strings(spec, "spec", "hosts");
        if (written.Count == 0)
        {
            r.Error("spec.hosts", "must name at least one host", spec);
        }

        for (var i = 0; i < written.Count; i++)
        {
            if (written[i] == "*" && appliesToMesh)
            {
                // Istio's validation: a wildcard-only host is allowed for gateways, never for sidecars.
                r.Error($"spec.hosts[{i}]", "'*' is not allowed for a VirtualService that applies to sidecars (no gateways, or 'mesh' among them); name the hosts, or bind it to gateways only", spec);
                continue;
            }

            hosts.Add(ResolveHost(r, written[i], ns, $"spec.hosts[{i}]", spec, allowWildcard: true));
        }

        var exportTo = ReadExportTo(r, spec);

        var http = new List<HttpRoute>();
        foreach (var (node, path) in r.Items(spec, "spec", "http"))
        {
            http.Add(ReadHttpRoute(r, node, path, ns));
        }

        var tcp = new List<TcpRoute>();
        foreach (var (node, path) in r.Items(spec, "spec", "tcp"))
        {
            tcp.Add(ReadTcpRoute(r, node, path, ns));
        }

        if (http.Count == 0 && tcp.Count == 0 && r.Get(spec, "http") is null && r.Get(spec, "tcp") is null)
        {
            r.Error("spec", "needs http or tcp routes", spec);
        }

        return new VirtualService(name, ns, hosts, http, tcp) { Gateways = gateways, ExportTo = exportTo };
    }

    private static HttpRoute ReadHttpRoute(YamlNodeReader r, YamlMappingNode node, string path, string ns)
    {
        r.Supported(node, path, "name", "match", "route", "timeout", "retries", "fault", "headers", "rewrite");
        var matches = new List<HttpMatchRequest>();
        foreach (var (match, matchPath) in r.Items(node, path, "match"))
        {
            matches.Add(ReadMatch(r, match, matchPath));
        }

        var route = new List<HttpRouteDestination>();
        var weights = new List<(int Weight, string Path, YamlNode Node)>();
        foreach (var (item, itemPath) in r.Items(node, path, "route"))
        {
            r.Supported(item, itemPath, "destination", "weight", "headers");
            var destination = ReadDestination(r, item, itemPath, ns);
            var weight = (int?)r.Integer(item, itemPath, "weight", 0, 100);
            weights.Add((weight ?? 0, itemPath, item));
            route.Add(new HttpRouteDestination(destination, weight ?? 0, ReadHeaderOperations(r, item, itemPath)));
        }

        if (route.Count == 0)
        {
            r.Error(YamlNodeReader.Join(path, "route"), "needs at least one destination (redirect and directResponse are not supported by Waylay)", node);
        }

        CheckWeights(r, weights, path);
        var timeout = r.Duration(node, path, "timeout", allowZero: true);
        var retries = r.OptionalMapping(node, path, "retries") is { } retryNode ? ReadRetries(r, retryNode, YamlNodeReader.Join(path, "retries")) : null;
        var fault = r.OptionalMapping(node, path, "fault") is { } faultNode ? ReadFault(r, faultNode, YamlNodeReader.Join(path, "fault")) : null;
        string? rewrite = null;
        if (r.OptionalMapping(node, path, "rewrite") is { } rewriteNode)
        {
            var rewritePath = YamlNodeReader.Join(path, "rewrite");
            r.Supported(rewriteNode, rewritePath, "uri");
            rewrite = r.String(rewriteNode, rewritePath, "uri", required: true);
        }

        return new HttpRoute(r.String(node, path, "name"), matches, route, timeout == TimeSpan.Zero ? null : timeout, retries, fault, ReadHeaderOperations(r, node, path), rewrite);
    }

    private static void CheckWeights(YamlNodeReader r, List<(int Weight, string Path, YamlNode Node)> weights, string path)
    {
        if (weights.Count <= 1)
        {
            return;
        }

        var total = 0;
        foreach (var (weight, _, _) in weights)
        {
            total += weight;
        }

        if (total != 100)
        {
            r.Error(YamlNodeReader.Join(path, "route"), $"weights must add up to 100 when there is more than one destination; they add up to {total}", weights[0].Node);
        }
    }

    private static HttpMatchRequest ReadMatch(YamlNodeReader r, YamlMappingNode node, string path)
    {
        r.Supported(node, path, "name", "uri", "method", "headers", "port");
        var uri = r.OptionalMapping(node, path, "uri") is { } u ? ReadStringMatch(r, u, YamlNodeReader.Join(path, "uri"), allowPresent: false) : null;
        var method = r.OptionalMapping(node, path, "method") is { } m ? ReadStringMatch(r, m, YamlNodeReader.Join(path, "method"), allowPresent: false) : null;
        var headers = new List<HeaderMatch>();
        if (r.OptionalMapping(node, path, "headers") is { } headerMap)
        {
            foreach (var (key, value) in headerMap.Children)
            {
                var headerName = (key as YamlScalarNode)?.Value ?? "";
                var headerPath = $"{path}.headers.{headerName}";
                if (!HttpToken.IsToken(headerName))
                {
                    r.Error(headerPath, $"'{headerName}' is not a valid header name", key);
                    continue;
                }

                if (r.Mapping(value, headerPath) is { } matchNode && ReadStringMatch(r, matchNode, headerPath, allowPresent: true) is { } match)
                {
                    headers.Add(new HeaderMatch(headerName.ToLowerInvariant(), match));
                }
            }
        }

        var port = (ushort?)r.Integer(node, path, "port", 1, 65535);
        return new HttpMatchRequest(r.String(node, path, "name"), uri, method, headers, port);
    }

    private static StringMatch? ReadStringMatch(YamlNodeReader r, YamlMappingNode node, string path, bool allowPresent)
    {
        r.Supported(node, path, "exact", "prefix", "regex");
        if (node.Children.Count == 0)
        {
            if (allowPresent)
            {
                return StringMatch.Present;
            }

            r.Error(path, "needs one of exact, prefix or regex", node);
            return null;
        }

        if (node.Children.Count > 1)
        {
            r.Error(path, "must have exactly one of exact, prefix or regex", node);
            return null;
        }

        if (r.String(node, path, "exact") is { } exact)
        {
            return new StringMatch(StringMatchKind.Exact, exact);
        }

        if (r.String(node, path, "prefix") is { } prefix)
        {
            return new StringMatch(StringMatchKind.Prefix, prefix);
        }

        if (r.String(node, path, "regex") is { } pattern)
        {
            if (StringMatch.CompileRegex(pattern, out var error) is { } regex)
            {
                return new StringMatch(StringMatchKind.Regex, pattern, regex);
            }

            r.Error(YamlNodeReader.Join(path, "regex"), $"'{pattern}' is not a valid regular expression: {error}", node);
        }

        return null;
    }

    private static Destination ReadDestination(YamlNodeReader r, YamlMappingNode item, string path, string ns)
    {
        var destinationPath = YamlNodeReader.Join(path, "destination");
        if (r.OptionalMapping(item, path, "destination") is not { } node)
        {
            r.Error(destinationPath, "is required", item);
            return new Destination("", null, null);
        }

        r.Supported(node, destinationPath, "host", "subset", "port");
        var host = r.String(node, destinationPath, "host", required: true);
        var subset = r.String(node, destinationPath, "subset");
        if (subset is not null && !HostName.IsValid(subset, allowWildcard: false))
        {
            r.Error(YamlNodeReader.Join(destinationPath, "subset"), $"'{subset}' is not a valid subset name", node);
        }

        var resolved = host is null ? "" : ResolveHost(r, host, ns, YamlNodeReader.Join(destinationPath, "host"), node, allowWildcard: false);
        return new Destination(resolved, subset, r.PortNumber(node, destinationPath, "port"));
    }

    private static TcpRoute ReadTcpRoute(YamlNodeReader r, YamlMappingNode node, string path, string ns)
    {
        r.Supported(node, path, "match", "route");
        var ports = new List<ushort>();
        var anyPort = false;
        foreach (var (match, matchPath) in r.Items(node, path, "match"))
        {
            r.Supported(match, matchPath, "port");
            if ((ushort?)r.Integer(match, matchPath, "port", 1, 65535) is { } port)
            {
                ports.Add(port);
            }
            else
            {
                anyPort = true; // an empty block matches any port
            }
        }

        var route = new List<RouteDestination>();
        var weights = new List<(int, string, YamlNode)>();
        foreach (var (item, itemPath) in r.Items(node, path, "route"))
        {
            r.Supported(item, itemPath, "destination", "weight");
            var destination = ReadDestination(r, item, itemPath, ns);
            var weight = (int?)r.Integer(item, itemPath, "weight", 0, 100) ?? 0;
            weights.Add((weight, itemPath, item));
            route.Add(new RouteDestination(destination, weight));
        }

        if (route.Count == 0)
        {
            r.Error(YamlNodeReader.Join(path, "route"), "needs at least one destination", node);
        }

        CheckWeights(r, weights, path);
        return new TcpRoute(anyPort ? [] : ports, route);
    }
}
