using Waylay.Proxy.Mesh.Tests.Lab;
using Waylay.TestKit;
using Xunit;

namespace Waylay.Proxy.Mesh.Tests.Resilience;

/// <summary>
/// Istio's default retry policy (<c>attempts: 2, retryOn: connect-failure,refused-stream,unavailable,cancelled,
/// retriable-status-codes</c> with 503, Envoy's <c>previous_hosts</c> predicate): with one endpoint of three answering
/// 503 to everything, the client never sees an error, although the failing endpoint keeps being tried. With retries
/// switched off (<c>attempts: 0</c>) the same failures reach the client as the app's own 503, which shows the first
/// test's zero is the retries' doing. A <c>perTryTimeout</c> turns a hanging endpoint into a timed-out try (a gateway
/// error to Envoy's retry policy) that is retried on another endpoint.
/// </summary>
public sealed class RetryTests
{
    [NetnsFact]
    public async Task DefaultRetries_OneEndpointOfThreeAnswering503_NoClientVisibleError()
    {
        await using var lab = await ServiceLab.StartAsync(rules: null);
        lab.Endpoint("v3").FailWith = 503;
        using var client = lab.Client();

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async worker =>
        {
            var seen = new List<(int Status, string Body)>();
            for (var i = 0; i < 75; i++)
            {
                using var response = await client.GetAsync(ServiceLab.Url($"/retry/{worker}/{i}"));
                seen.Add(((int)response.StatusCode, await response.Content.ReadAsStringAsync()));
            }

            return seen;
        }));

        var all = answers.SelectMany(a => a).ToList();
        Assert.All(all, a => Assert.Equal(200, a.Status));
        Assert.DoesNotContain(all, a => a.Body == "v3");

        // The failing endpoint was really in the rotation: its 503s were retried elsewhere, not avoided by luck.
        Assert.True(lab.Endpoint("v3").Requests >= 20, $"v3 saw only {lab.Endpoint("v3").Requests} of 300 requests");
        Assert.Equal(300, lab.Endpoint("v1").Requests + lab.Endpoint("v2").Requests);
    }

    [NetnsFact]
    public async Task PerTryTimeout_OneEndpointHanging_EachTryTimesOutAndIsRetriedElsewhere()
    {
        // 1s per try, not less: a healthy answer must fit in it while other test hosts load the machine (0.3s did not).
        const string rules = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: reviews
              namespace: default
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews}
                retries: {attempts: 2, perTryTimeout: 1s, retryOn: "gateway-error,connect-failure"}
            """;
        await using var lab = await ServiceLab.StartAsync(rules);
        lab.Endpoint("v3").Delay = TimeSpan.FromSeconds(30);
        using var client = lab.Client(maxConnections: 1);

        for (var i = 0; i < 30; i++)
        {
            using var response = await client.GetAsync(ServiceLab.Url($"/per-try/{i}"));
            Assert.Equal(200, (int)response.StatusCode);
            Assert.NotEqual("v3", await response.Content.ReadAsStringAsync());
        }

        Assert.True(lab.Endpoint("v3").Requests >= 5, $"v3 saw only {lab.Endpoint("v3").Requests} of 30 requests: the hanging endpoint was not in the rotation");
    }

    [NetnsFact]
    public async Task RetriesOff_TheFailingEndpointsOwn503ReachesTheClient()
    {
        const string rules = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: reviews
              namespace: default
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews}
                retries: {attempts: 0}
            """;
        await using var lab = await ServiceLab.StartAsync(rules);
        lab.Endpoint("v3").FailWith = 503;
        using var client = lab.Client(maxConnections: 1);

        var failures = 0;
        for (var i = 0; i < 60; i++)
        {
            using var response = await client.GetAsync(ServiceLab.Url("/no-retry"));
            if ((int)response.StatusCode == 503)
            {
                failures++;
                Assert.Equal("v3", await response.Content.ReadAsStringAsync());
            }
        }

        Assert.Equal(lab.Endpoint("v3").Requests, failures);
        Assert.InRange(failures, 10, 30);
    }
}
