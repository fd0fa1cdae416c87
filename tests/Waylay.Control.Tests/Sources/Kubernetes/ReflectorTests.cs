using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Time.Testing;
using Waylay.Control.Sources;
using Waylay.Control.Tests.KubeApi;

namespace Waylay.Control.Tests.Sources.Kubernetes;

/// <summary>
/// The list+watch protocol on the wire: where each watch starts, when the client relists. Asserted on the requests
/// the recorded API server got, so what is checked is what a cluster would see.
/// </summary>
public sealed class ReflectorTests
{
    private const string Services = BookinfoCluster.Services;

    [Fact]
    public async Task FirstWatch_StartsAtTheListsResourceVersion_WithBookmarksAndATimeout()
    {
        await using var server = BookinfoCluster.Record(await RecordedKubeApiServer.StartAsync());
        await using var run = SourceRun.Start(server);

        await WaitForRequestsAsync(server, 2);

        var requests = server.RequestsFor(Services);
        Assert.False(requests[0].Watch);
        Assert.True(requests[1].Watch);
        Assert.Equal("1000", requests[1].ResourceVersion);
        Assert.Equal("true", requests[1].AllowWatchBookmarks);
        // client-go's spread: [min, 2·min] of the 5-minute minimum.
        Assert.InRange(int.Parse(requests[1].TimeoutSeconds!), 300, 600);
        Assert.Equal($"Bearer {RecordedKubeApiServer.Token}", requests[1].Authorization);
    }

    [Fact]
    public async Task Bookmark_MovesTheResourceVersion_TheNextWatchStartsThere()
    {
        await using var server = BookinfoCluster.Record(await RecordedKubeApiServer.StartAsync());
        server.Resource(Services).Watch(w => w.Bookmark("Service", "v1", "1500").Close());
        await using var run = SourceRun.Start(server);

        await WaitForRequestsAsync(server, 3);

        var requests = server.RequestsFor(Services);
        Assert.Equal(["list", "watch 1000", "watch 1500"], requests.Take(3).Select(Describe));
    }

    [Theory]
    [InlineData(HttpProtocols.Http1AndHttp2, "HTTP/2")] // a stream reset
    [InlineData(HttpProtocols.Http1, "HTTP/1.1")] // a chunked response cut before its last chunk
    public async Task DroppedWatch_ResumesFromTheLastResourceVersion_WithoutRelisting(HttpProtocols protocols, string protocol)
    {
        await using var server = BookinfoCluster.Record(await RecordedKubeApiServer.StartAsync(protocols));
        // The events end with a normal close; the next watch (from 1003) is dropped at once, without a terminating
        // chunk (HTTP/2: a stream reset). Data sent just before a reset may be discarded by the client, so the drop
        // comes on a watch of its own: what is checked is where the client resumes after it.
        server.Resource(Services)
            .Watch(w => w.Events("services-events.jsonl").Close())
            .Watch(w => w.Drop());
        await using var run = SourceRun.Start(server);

        await WaitForRequestsAsync(server, 4);
        var snapshot = await run.WaitForAsync(s => s.Mesh.Services.Any(x => x.Name == "details"), "the events before the drop");

        Assert.Equal(["list", "watch 1000", "watch 1003", "watch 1003"], server.RequestsFor(Services).Take(4).Select(Describe));
        Assert.All(server.RequestsFor(Services), r => Assert.Equal(protocol, r.Protocol));
        var status = Assert.Single(snapshot.Status.Kinds, k => k.Kind == "Service");
        Assert.Equal(1, status.Lists);
        Assert.DoesNotContain(snapshot.Mesh.Services, s => s.Name == "ratings");
    }

    [Fact]
    public async Task HttpGoneOnTheWatch_Relists_AndTheModelIsTheRelistedState()
    {
        await using var server = BookinfoCluster.Record(await RecordedKubeApiServer.StartAsync());
        server.Resource(Services).List("services-relisted.json").Watch(w => w.Gone());
        await using var run = SourceRun.Start(server);

        await AssertRelistedAsync(server, run);
    }

    [Fact]
    public async Task ErrorEventGone_Relists_AndTheModelIsTheRelistedState()
    {
        await using var server = BookinfoCluster.Record(await RecordedKubeApiServer.StartAsync());
        server.Resource(Services).List("services-relisted.json").Watch(w => w.ErrorGone("1000"));
        await using var run = SourceRun.Start(server);

        await AssertRelistedAsync(server, run);
    }

    [Fact]
    public async Task ErrorEventOtherThanGone_ResumesFromTheSameResourceVersion_AndIsReported()
    {
        await using var server = BookinfoCluster.Record(await RecordedKubeApiServer.StartAsync());
        server.Resource(Services).Watch(w => w.Error(500, "InternalError", "etcd leader changed"));
        await using var run = SourceRun.Start(server);

        var snapshot = await run.WaitForAsync(s => s.Status.Kinds.Any(k => k.Kind == "Service" && k.LastError is not null), "the error in the status");
        await WaitForRequestsAsync(server, 3);

        Assert.Equal(["list", "watch 1000", "watch 1000"], server.RequestsFor(Services).Take(3).Select(Describe));
        var status = Assert.Single(snapshot.Status.Kinds, k => k.Kind == "Service");
        Assert.Contains("ERROR event 500 InternalError: etcd leader changed", status.LastError);
        Assert.Equal((1, 0), (status.Lists, status.Gone));
    }

    [Fact]
    public async Task ResyncPeriod_EndsTheWatchAndRelists()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T12:00:00Z"));
        await using var server = BookinfoCluster.Record(await RecordedKubeApiServer.StartAsync());
        server.Resource(Services).List("services-relisted.json");
        await using var run = SourceRun.Start(server, time, o => o with { ResyncPeriod = TimeSpan.FromMinutes(30) });
        await WaitForRequestsAsync(server, 2);

        time.Advance(TimeSpan.FromMinutes(31));

        await WaitForRequestsAsync(server, 4);
        Assert.Equal(["list", "watch 1000", "list", "watch 2000"], server.RequestsFor(Services).Take(4).Select(Describe));
        await run.WaitForAsync(s => s.Mesh.Services.Any(x => x.Name == "details"), "the resynced state");
    }

    private static async Task AssertRelistedAsync(RecordedKubeApiServer server, SourceRun run)
    {
        await WaitForRequestsAsync(server, 4);
        var snapshot = await run.WaitForAsync(
            s => s.Mesh.Services.Any(x => x.Name == "details") && s.Status.Kinds.Any(k => k.Kind == "Service" && k.ResourceVersion == "2000"),
            "the relisted services at resourceVersion 2000");

        Assert.Equal(["list", "watch 1000", "list", "watch 2000"], server.RequestsFor(Services).Take(4).Select(Describe));
        // Exactly the relisted state: ratings and legacy-db were deleted while the watch was gone.
        Assert.Equal(["details", "reviews"], snapshot.Mesh.Services.Select(s => s.Name).Order());
        Assert.DoesNotContain(snapshot.Status.Ignored, i => i.Name == "default/legacy-db");
        var status = Assert.Single(snapshot.Status.Kinds, k => k.Kind == "Service");
        Assert.Equal((2, 1, "2000"), (status.Lists, status.Gone, status.ResourceVersion));
    }

    private static Task WaitForRequestsAsync(RecordedKubeApiServer server, int count) =>
        SourceRun.WaitUntilAsync(() => server.RequestsFor(Services).Count >= count, $"{count} requests for {Services}",
            () => "requests: " + string.Join(", ", server.RequestsFor(Services)));

    private static string Describe(KubeRequest request) => request.Watch ? $"watch {request.ResourceVersion}" : "list";
}
