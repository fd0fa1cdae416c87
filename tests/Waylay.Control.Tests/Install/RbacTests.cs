using k8s.Models;
using Waylay.Control.Tests.KubeApi;
using Waylay.Control.Tests.Sources.Kubernetes;

namespace Waylay.Control.Tests.Install;

/// <summary>
/// The control plane's ClusterRole grants exactly what its Kubernetes source does on the wire: the collections it
/// lists and watches, with the verbs list and watch, and nothing else. Derived from the requests the real source
/// sends to the recorded API server, so a kind added to (or dropped from) the source without the RBAC fails here.
/// </summary>
public sealed class RbacTests
{
    [Fact]
    public async Task ClusterRole_GrantsExactlyTheCollectionsAndVerbsTheSourceUses()
    {
        await using var server = BookinfoCluster.Record(await RecordedKubeApiServer.StartAsync());
        await using (var run = SourceRun.Start(server))
        {
            await run.WaitForAsync(s => s.Synced, "the first sync");
            await SourceRun.WaitUntilAsync(
                () => server.Requests.Where(r => !r.Watch && server.Records(r.Path)).All(l => server.Requests.Any(w => w.Watch && w.Path == l.Path)),
                "a watch of every collection listed", () => string.Join(", ", server.Requests));
        }

        // (group/resource, verb) from each request: a GET of a collection is list, with ?watch=true watch.
        var used = server.Requests
            .Select(r => (Resource: GroupResource(r.Path), Verb: r.Watch ? "watch" : r.Method == "GET" ? "list" : r.Method))
            .Distinct().ToHashSet();
        var listed = used.Where(u => u.Verb == "list").Select(u => u.Resource).Order().ToList();
        var unserved = server.Requests.Where(r => !server.Records(r.Path)).Select(r => GroupResource(r.Path));
        Assert.Equal(listed, used.Where(u => u.Verb == "watch").Select(u => u.Resource).Union(unserved).Order().ToList());

        var role = Assert.Single((await PrintedInstall.RunAsync()).OfType<V1ClusterRole>());
        var granted = role.Rules.SelectMany(rule => rule.ApiGroups.SelectMany(g => rule.Resources.SelectMany(r => rule.Verbs.Select(v => (Resource: $"{g}/{r}", Verb: v))))).ToHashSet();
        Assert.DoesNotContain(role.Rules, r => r.ResourceNames is { Count: > 0 } || r.NonResourceURLs is { Count: > 0 });

        // Every request the source sent is allowed, and every grant is used by some request (the unrecorded
        // ServiceEntry collection answered 404, so it was listed but never watched: its watch grant is still needed).
        Assert.Equal(used.Select(u => u.Resource).Distinct().Order().ToList(), granted.Select(g => g.Resource).Distinct().Order().ToList());
        Assert.All(used, u => Assert.Contains(u, granted));
        Assert.Equal(["list", "watch"], granted.Select(g => g.Verb).Distinct().Order());
    }

    /// <summary>/api/v1/services → "/services"; /apis/discovery.k8s.io/v1/endpointslices → "discovery.k8s.io/endpointslices".</summary>
    private static string GroupResource(string path)
    {
        var parts = path.Trim('/').Split('/');
        return parts[0] == "api" ? $"/{parts[^1]}" : $"{parts[1]}/{parts[^1]}";
    }
}
