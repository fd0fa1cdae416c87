using Waylay.Discovery.V1;
using Waylay.Mesh;

namespace Waylay.Discovery;

public sealed partial class DiscoveryClient
{
    /// <summary>Validates one response against the other types as accepted, and answers it: ACK or NACK.</summary>
    private DiscoveryRequest Handle(DiscoveryResponse response)
    {
        var request = new DiscoveryRequest { TypeUrl = response.TypeUrl, ResponseNonce = response.Nonce };
        lock (_lock)
        {
            var errors = new List<MeshError>();
            var resources = Merge(response, errors);
            var candidate = new Dictionary<string, (string Version, IReadOnlyList<Resource> Resources)>(_accepted, StringComparer.Ordinal)
            {
                [response.TypeUrl] = (response.VersionInfo, resources),
            };
            var config = errors.Count == 0 ? Build(candidate, errors) : null;
            if (errors.Count > 0)
            {
                var kept = _accepted.TryGetValue(response.TypeUrl, out var previous) ? previous.Version : "";
                var message = string.Join("; ", errors.Take(20));
                _nacks++;
                _lastNack = $"{TypeUrls.Short(response.TypeUrl)} version {response.VersionInfo}: {message}";
                request.VersionInfo = kept;
                request.ErrorDetail = new ErrorDetail { Code = 3, Message = message };
                DiscoveryClientLog.Refused(_logger, TypeUrls.Short(response.TypeUrl), response.VersionInfo, kept, message);
                return request;
            }

            _accepted[response.TypeUrl] = (response.VersionInfo, resources);
            _acks++;
            request.VersionInfo = response.VersionInfo;
            // Nothing is applied until every type has arrived once: services without their endpoints or rules would
            // route the first connections differently from the config the control plane meant.
            if (_applied || TypeUrls.Subscribed.All(_accepted.ContainsKey))
            {
                _applied = true;
                var complete = config! with { Mesh = config.Mesh with { Version = RunningVersion() } };
                // Inside the lock: the status must never show a version whose table is not in force yet.
                _apply(complete);
            }
        }

        DiscoveryClientLog.Applied(_logger, TypeUrls.Short(response.TypeUrl), response.VersionInfo, response.Resources.Count);

        return request;
    }

    /// <summary>
    /// The type's whole set after this response: the response itself, or for an incremental one the last good set
    /// with the named resources replaced and the removed ones dropped, only when that set is the response's base.
    /// </summary>
    private IReadOnlyList<Resource> Merge(DiscoveryResponse response, List<MeshError> errors)
    {
        if (!response.Incremental)
        {
            return response.Resources;
        }

        var running = _accepted.TryGetValue(response.TypeUrl, out var accepted) ? accepted.Version : "";
        if (accepted.Resources is null || running != response.BaseVersion)
        {
            errors.Add(new MeshError(TypeUrls.Short(response.TypeUrl),
                $"incremental response applies on version {response.BaseVersion} but this proxy runs '{running}': send the whole set"));
            return [];
        }

        var merged = new Dictionary<string, Resource>(StringComparer.Ordinal);
        foreach (var resource in accepted.Resources)
        {
            merged[resource.Name] = resource;
        }

        foreach (var name in response.RemovedResources)
        {
            merged.Remove(name);
        }

        foreach (var resource in response.Resources)
        {
            merged[resource.Name] = resource;
        }

        return [.. merged.Values];
    }

    private static DiscoveredConfig Build(Dictionary<string, (string Version, IReadOnlyList<Resource> Resources)> types, List<MeshError> errors)
    {
        IReadOnlyList<Resource> Of(string type) => types.TryGetValue(type, out var t) ? t.Resources : [];
        var mesh = MeshResources.ToModel("", Of(TypeUrls.Services), Of(TypeUrls.Endpoints), Of(TypeUrls.Workloads), errors);
        var networking = RoutingResources.ToConfig(Of(TypeUrls.VirtualServices), Of(TypeUrls.DestinationRules), errors);
        return new DiscoveredConfig(mesh, networking, types.ToDictionary(p => TypeUrls.Short(p.Key), p => p.Value.Version, StringComparer.Ordinal));
    }
}
