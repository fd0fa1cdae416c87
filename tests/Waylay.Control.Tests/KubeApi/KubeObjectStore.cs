using System.Text.Json.Nodes;

namespace Waylay.Control.Tests.KubeApi;

/// <summary>
/// The objects written to the recorded API server (server-side apply, delete), kept by their API path as the real
/// server keeps them, so a second install reads back what the first wrote and uninstall lists what is there:
/// <code>
/// /api/v1/namespaces/{name}                                  a namespace
/// /api/v1/namespaces/{ns}/{plural}[/{name}]                  a core namespaced collection [object]
/// /apis/{group}/{version}/[namespaces/{ns}/]{plural}[/{name}] the same in a group
/// </code>
/// A group not served (a CustomResourceDefinition not installed) answers 404, as the real server does.
/// </summary>
internal sealed class KubeObjectStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly HashSet<string> _groups = new(StringComparer.Ordinal) { "", "apps", "policy", "rbac.authorization.k8s.io", "admissionregistration.k8s.io", "discovery.k8s.io" };
    private long _version = 1000;

    /// <summary>
    /// An applied Deployment gets the status its controller and the kubelet would report once its pods are ready
    /// (every replica available); false leaves it with none, as when its image does not start.
    /// </summary>
    public bool DeploymentsBecomeAvailable { get; set; } = true;

    /// <summary>Serves the group's resources (its CRDs "installed").</summary>
    public void Serve(string group)
    {
        lock (_lock)
        {
            _groups.Add(group);
        }
    }

    public bool Serves(string path) => Parse(path) is { } p && _groups.Contains(p.Group);

    /// <summary>The objects stored, by path.</summary>
    public IReadOnlyDictionary<string, JsonObject> Objects
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, JsonObject>(_objects.Select(o => KeyValuePair.Create(o.Key, (JsonObject)o.Value.DeepClone())));
            }
        }
    }

    /// <summary>Stores <paramref name="body"/> at <paramref name="path"/> (an object path); true when it was new.</summary>
    public bool Put(string path, JsonObject body)
    {
        lock (_lock)
        {
            var metadata = body["metadata"] as JsonObject ?? [];
            body["metadata"] = metadata;
            metadata["resourceVersion"] = (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var created = !_objects.ContainsKey(path);
            if (path.Contains("/deployments/", StringComparison.Ordinal))
            {
                var replicas = body["spec"]?["replicas"]?.GetValue<int>() ?? 1;
                body["status"] = new JsonObject
                {
                    ["replicas"] = replicas,
                    ["readyReplicas"] = DeploymentsBecomeAvailable ? replicas : 0,
                    ["availableReplicas"] = DeploymentsBecomeAvailable ? replicas : 0,
                };
            }

            _objects[path] = body;
            return created;
        }
    }

    public JsonObject? Get(string path)
    {
        lock (_lock)
        {
            return _objects.TryGetValue(path, out var o) ? (JsonObject)o.DeepClone() : null;
        }
    }

    public JsonObject? Remove(string path)
    {
        lock (_lock)
        {
            return _objects.Remove(path, out var o) ? o : null;
        }
    }

    /// <summary>True when <paramref name="path"/> names a collection (not one object).</summary>
    public static bool IsCollection(string path) => Parse(path) is { Name: null };

    /// <summary>The collection's objects whose labels hold every <c>key=value</c> of <paramref name="selector"/>.</summary>
    public JsonObject List(string collection, string? selector)
    {
        var wanted = (selector ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Split('=', 2)).ToList();
        lock (_lock)
        {
            var items = _objects.Where(o => Parent(o.Key) == collection && wanted.All(w =>
                    o.Value["metadata"]?["labels"]?[w[0]]?.GetValue<string>() == (w.Length > 1 ? w[1] : null)))
                .Select(o => (JsonNode)o.Value.DeepClone());
            return new JsonObject
            {
                ["kind"] = "List",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject { ["resourceVersion"] = _version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray([.. items]),
            };
        }
    }

    private static string Parent(string path) => path[..path.LastIndexOf('/')];

    private sealed record ApiPath(string Group, string? Name);

    private static ApiPath? Parse(string path)
    {
        var parts = path.Trim('/').Split('/');
        var (group, rest) = parts switch
        {
            ["api", "v1", .. var r] => ("", r),
            ["apis", var g, _, .. var r] => (g, r),
            _ => ((string?)null, Array.Empty<string>()),
        };
        return (group, rest) switch
        {
            (null, _) => null,
            (_, ["namespaces", _, _, var name]) => new ApiPath(group, name),
            (_, ["namespaces", _, _]) => new ApiPath(group, null),
            (_, [_, var name]) => new ApiPath(group, name),
            (_, [_]) => new ApiPath(group, null),
            _ => null,
        };
    }
}
