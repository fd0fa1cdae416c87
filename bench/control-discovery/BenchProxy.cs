using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Waylay.Discovery;
using Waylay.Discovery.V1;

namespace Waylay.Bench.Control;

/// <summary>
/// One proxy's end of the stream, as the sidecar speaks it (subscribe to every type accepting incremental responses,
/// merge them, ACK each response), timing arrivals.
/// </summary>
internal sealed class BenchProxy(int index, string address, string ns = "default")
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(address);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, (long Version, long At, int Bytes)> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _healthy = new(StringComparer.Ordinal);

    public int EndpointCount { get; private set; }

    public string Namespace => ns;

    public long Version(string type) => _types.TryGetValue(type, out var t) ? t.Version : 0;

    public long ReceivedAt(string type) => _types[type].At;

    public int LastBytes(string type) => _types[type].Bytes;

    public void Stop() => _stop.Cancel();

    public async Task RunAsync()
    {
        try
        {
            using var call = new AggregatedDiscovery.AggregatedDiscoveryClient(_channel).StreamResources(cancellationToken: _stop.Token);
            var node = new Node { Id = $"bench-{index}.{ns}", PodName = $"bench-{index}", Namespace = ns };
            foreach (var type in TypeUrls.Subscribed)
            {
                await call.RequestStream.WriteAsync(new DiscoveryRequest { TypeUrl = type, Node = node, AcceptsIncremental = true });
                node = null;
            }

            await foreach (var response in call.ResponseStream.ReadAllAsync(_stop.Token))
            {
                var at = Stopwatch.GetTimestamp();
                if (response.TypeUrl == TypeUrls.Endpoints)
                {
                    if (!response.Incremental)
                    {
                        _healthy.Clear();
                    }

                    foreach (var name in response.RemovedResources)
                    {
                        _healthy.Remove(name);
                    }

                    foreach (var resource in response.Resources)
                    {
                        _healthy[resource.Name] = resource.Endpoints.Endpoints.Count(e => e.Health == "Healthy");
                    }

                    EndpointCount = _healthy.Values.Sum();
                }

                _types[response.TypeUrl] = (long.Parse(response.VersionInfo, CultureInfo.InvariantCulture), at, response.CalculateSize());
                await call.RequestStream.WriteAsync(new DiscoveryRequest { TypeUrl = response.TypeUrl, VersionInfo = response.VersionInfo, ResponseNonce = response.Nonce });
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
        }
    }
}
