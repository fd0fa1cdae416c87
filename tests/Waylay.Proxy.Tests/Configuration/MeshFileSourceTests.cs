using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Waylay.Proxy.Configuration;
using Waylay.Proxy.LoadBalancing;
using Waylay.Proxy.Routing;
using Xunit;

namespace Waylay.Proxy.Tests.Configuration;

public sealed class MeshFileSourceTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"wl-mesh-{Guid.NewGuid():N}.yaml");

    [Fact]
    public void Change_SwapsTheTable_OldTableStaysIntactForItsConnections()
    {
        File.WriteAllText(_path, Yaml("v1", "10.244.2.5"));
        var time = new FakeTimeProvider();
        using var source = new MeshFileSource(_path, NullLogger.Instance, time, TimeSpan.FromSeconds(1));
        using var tables = new RouteTableManager(source, new EndpointStatsRegistry());
        var before = tables.Current;

        File.WriteAllText(_path, Yaml("v2", "10.244.2.6"));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("v2", source.Current.Model.Version);
        Assert.Equal("v2", tables.Current.Version);
        Assert.Equal(1, source.Reloads);
        Assert.True(tables.Current.TryGetService(new IPEndPoint(IPAddress.Parse("10.96.0.10"), 80), out var route));
        Assert.Equal("10.244.2.6:80", route.Healthy.Single().Address.ToString());
        Assert.True(before.TryGetService(new IPEndPoint(IPAddress.Parse("10.96.0.10"), 80), out var old));
        Assert.Equal("10.244.2.5:80", old.Healthy.Single().Address.ToString());
    }

    [Fact]
    public void InvalidEdit_IsRejected_AndTheLastGoodTableStays()
    {
        File.WriteAllText(_path, Yaml("v1", "10.244.2.5"));
        using var source = new MeshFileSource(_path, NullLogger.Instance, new FakeTimeProvider(), TimeSpan.FromSeconds(1));
        using var tables = new RouteTableManager(source, new EndpointStatsRegistry());
        File.WriteAllText(_path, Yaml("v2", "not-an-ip"));
        source.Poll();
        Assert.Equal("v1", source.Current.Model.Version);
        Assert.Equal("v1", tables.Current.Version);
        Assert.Equal(1, source.RejectedReloads);

        // Unchanged content is not re-read as a new version.
        source.Poll();
        Assert.Equal(1, source.RejectedReloads);
    }

    public void Dispose() => File.Delete(_path);

    private static string Yaml(string version, string endpoint) => $"""
        version: {version}
        services:
        - name: web
          addresses: [10.96.0.10]
          ports: [{"{port: 80}"}]
          endpoints: [{"{address: " + endpoint + "}"}]
        """;
}
