using YamlDotNet.RepresentationModel;
using Waylay.Mesh.Yaml;

namespace Waylay.Mesh.Networking;

public static partial class NetworkingReader
{
    private static DestinationRule ReadDestinationRule(YamlNodeReader r, YamlMappingNode spec, string name, string ns)
    {
        r.Supported(spec, "spec", "host", "trafficPolicy", "subsets", "exportTo");
        var host = r.String(spec, "spec", "host", required: true);
        var resolved = host is null ? "" : ResolveHost(r, host, ns, "spec.host", spec, allowWildcard: true);
        var exportTo = ReadExportTo(r, spec);
        var policy = r.OptionalMapping(spec, "spec", "trafficPolicy") is { } p ? ReadTrafficPolicy(r, p, "spec.trafficPolicy", allowPorts: true) : null;
        var subsets = new List<Subset>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (node, path) in r.Items(spec, "spec", "subsets"))
        {
            r.Supported(node, path, "name", "labels", "trafficPolicy");
            var subsetName = r.String(node, path, "name", required: true) ?? "";
            if (subsetName.Length > 0 && !HostName.IsValid(subsetName, allowWildcard: false))
            {
                r.Error(YamlNodeReader.Join(path, "name"), $"'{subsetName}' is not a valid subset name (a DNS label)", node);
            }
            else if (subsetName.Length > 0 && !names.Add(subsetName))
            {
                r.Error(YamlNodeReader.Join(path, "name"), $"'{subsetName}' is defined twice", node);
            }

            var labels = r.StringMap(node, path, "labels");
            var subsetPolicy = r.OptionalMapping(node, path, "trafficPolicy") is { } sp ? ReadTrafficPolicy(r, sp, YamlNodeReader.Join(path, "trafficPolicy"), allowPorts: true) : null;
            subsets.Add(new Subset(subsetName, labels, subsetPolicy));
        }

        return new DestinationRule(name, ns, resolved, policy, subsets) { ExportTo = exportTo };
    }

    /// <summary>spec.exportTo of a VirtualService or DestinationRule, each entry checked (<see cref="Networking.ExportTo"/>).</summary>
    private static IReadOnlyList<string> ReadExportTo(YamlNodeReader r, YamlMappingNode spec)
    {
        var exportTo = r.Strings(spec, "spec", "exportTo");
        for (var i = 0; i < exportTo.Count; i++)
        {
            if (Networking.ExportTo.Problem(exportTo[i]) is { } problem)
            {
                r.Error($"spec.exportTo[{i}]", problem, spec);
            }
        }

        return exportTo;
    }

    private static TrafficPolicy ReadTrafficPolicy(YamlNodeReader r, YamlMappingNode node, string path, bool allowPorts)
    {
        if (allowPorts)
        {
            r.Supported(node, path, "loadBalancer", "connectionPool", "outlierDetection", "portLevelSettings", "tls");
        }
        else
        {
            r.Supported(node, path, "port", "loadBalancer", "connectionPool", "outlierDetection", "tls");
        }

        ReadTls(r, node, path);
        var lb = r.OptionalMapping(node, path, "loadBalancer") is { } l ? ReadLoadBalancer(r, l, YamlNodeReader.Join(path, "loadBalancer")) : null;
        var pool = r.OptionalMapping(node, path, "connectionPool") is { } c ? ReadConnectionPool(r, c, YamlNodeReader.Join(path, "connectionPool")) : null;
        var outlier = r.OptionalMapping(node, path, "outlierDetection") is { } o ? ReadOutlierDetection(r, o, YamlNodeReader.Join(path, "outlierDetection")) : null;
        var ports = new List<PortTrafficPolicy>();
        if (allowPorts)
        {
            var seen = new HashSet<ushort>();
            foreach (var (item, itemPath) in r.Items(node, path, "portLevelSettings"))
            {
                var portPolicy = ReadTrafficPolicy(r, item, itemPath, allowPorts: false);
                var port = r.PortNumber(item, itemPath, "port");
                if (port is null && r.Get(item, "port") is null)
                {
                    r.Error(YamlNodeReader.Join(itemPath, "port"), "is required", item);
                }
                else if (port is { } number && !seen.Add(number))
                {
                    r.Error(YamlNodeReader.Join(itemPath, "port"), $"port {number} has settings twice", item);
                }

                ports.Add(new PortTrafficPolicy(port ?? 0, portPolicy.LoadBalancer, portPolicy.ConnectionPool, portPolicy.OutlierDetection));
            }
        }

        return new TrafficPolicy(lb, pool, outlier, ports);
    }

    /// <summary>Waylay does not originate TLS; <c>tls.mode: DISABLE</c> says exactly that and is accepted.</summary>
    private static void ReadTls(YamlNodeReader r, YamlMappingNode node, string path)
    {
        if (r.OptionalMapping(node, path, "tls") is not { } tls)
        {
            return;
        }

        var tlsPath = YamlNodeReader.Join(path, "tls");
        r.Supported(tls, tlsPath, "mode");
        var mode = r.String(tls, tlsPath, "mode");
        if (mode is not null and not "DISABLE")
        {
            r.Error(YamlNodeReader.Join(tlsPath, "mode"), $"'{mode}' is not supported by Waylay; only DISABLE (Waylay does not originate TLS)", tls);
        }
    }

    private static LoadBalancerKind? ReadLoadBalancer(YamlNodeReader r, YamlMappingNode node, string path)
    {
        r.Supported(node, path, "simple");
        var simple = r.String(node, path, "simple");
        switch (simple)
        {
            case null:
                r.Error(YamlNodeReader.Join(path, "simple"), "is required (consistentHash is not supported by Waylay)", node);
                return null;
            case "ROUND_ROBIN":
                return LoadBalancerKind.RoundRobin;
            case "LEAST_REQUEST" or "LEAST_CONN":
                return LoadBalancerKind.LeastRequest;
            case "RANDOM":
                return LoadBalancerKind.Random;
            case "PASSTHROUGH" or "UNSPECIFIED":
                r.Error(YamlNodeReader.Join(path, "simple"), $"'{simple}' is not supported by Waylay; use ROUND_ROBIN, LEAST_REQUEST or RANDOM", node);
                return null;
            default:
                r.Error(YamlNodeReader.Join(path, "simple"), $"'{simple}' is not a load balancer; use ROUND_ROBIN, LEAST_REQUEST or RANDOM", node);
                return null;
        }
    }

    private static ConnectionPoolSettings ReadConnectionPool(YamlNodeReader r, YamlMappingNode node, string path)
    {
        r.Supported(node, path, "tcp", "http");
        int? maxConnections = null, pending = null, perConnection = null, maxRequests = null;
        TimeSpan? idle = null;
        if (r.OptionalMapping(node, path, "tcp") is { } tcp)
        {
            var tcpPath = YamlNodeReader.Join(path, "tcp");
            r.Supported(tcp, tcpPath, "maxConnections");
            maxConnections = Positive((int?)r.Integer(tcp, tcpPath, "maxConnections", 0, int.MaxValue));
        }

        if (r.OptionalMapping(node, path, "http") is { } http)
        {
            var httpPath = YamlNodeReader.Join(path, "http");
            r.Supported(http, httpPath, "http1MaxPendingRequests", "http2MaxRequests", "maxRequestsPerConnection", "idleTimeout");
            pending = Positive((int?)r.Integer(http, httpPath, "http1MaxPendingRequests", 0, int.MaxValue));
            maxRequests = Positive((int?)r.Integer(http, httpPath, "http2MaxRequests", 0, int.MaxValue));
            perConnection = Positive((int?)r.Integer(http, httpPath, "maxRequestsPerConnection", 0, int.MaxValue));
            idle = r.Duration(http, httpPath, "idleTimeout");
        }

        return new ConnectionPoolSettings(maxConnections, pending, perConnection, idle, maxRequests);

        // proto3 integers: 0 is "not set", which Istio turns into "unlimited".
        static int? Positive(int? value) => value is > 0 ? value : null;
    }

    private static OutlierDetectionPolicy ReadOutlierDetection(YamlNodeReader r, YamlMappingNode node, string path)
    {
        r.Supported(node, path, "consecutive5xxErrors", "consecutiveGatewayErrors", "interval", "baseEjectionTime", "maxEjectionPercent");
        var defaults = OutlierDetectionPolicy.IstioDefaults;
        var fiveXx = (int?)r.Integer(node, path, "consecutive5xxErrors", 0, int.MaxValue);
        var gateway = (int?)r.Integer(node, path, "consecutiveGatewayErrors", 0, int.MaxValue);
        var interval = r.Duration(node, path, "interval");
        var baseEjection = r.Duration(node, path, "baseEjectionTime");
        var maxPercent = (int?)r.Integer(node, path, "maxEjectionPercent", 0, 100);
        return new OutlierDetectionPolicy(
            fiveXx ?? defaults.Consecutive5xxErrors,
            gateway ?? defaults.ConsecutiveGatewayErrors,
            interval ?? defaults.Interval,
            baseEjection ?? defaults.BaseEjectionTime,
            maxPercent is > 0 ? maxPercent.Value : defaults.MaxEjectionPercent);
    }
}
