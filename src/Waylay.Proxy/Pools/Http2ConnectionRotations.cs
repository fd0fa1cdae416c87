using System.Collections.Concurrent;
using System.Net;

namespace Waylay.Proxy.Pools;

/// <summary>The <see cref="Http2ConnectionRotation"/> of every (cluster, endpoint) whose policy limits requests per connection.</summary>
internal sealed class Http2ConnectionRotations
{
    private readonly ConcurrentDictionary<(string Cluster, IPEndPoint Endpoint), Http2ConnectionRotation> _rotations = new();

    public Http2ConnectionRotation For(string cluster, IPEndPoint endpoint, int maxRequests)
    {
        if (_rotations.TryGetValue((cluster, endpoint), out var rotation) && rotation.MaxRequests == maxRequests)
        {
            return rotation;
        }

        if (_rotations.Count > 4096)
        {
            // Endpoints of old snapshots: a dropped rotation's last connections idle out like any pooled connection.
            _rotations.Clear();
        }

        // A changed limit starts a new rotation, as Envoy's new cluster starts new pools.
        rotation = new Http2ConnectionRotation(endpoint, maxRequests);
        _rotations[(cluster, endpoint)] = rotation;
        return rotation;
    }
}
