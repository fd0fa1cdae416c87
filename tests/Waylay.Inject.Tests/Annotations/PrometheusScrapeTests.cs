using System.Text.Json.Nodes;
using Waylay.Inject.Annotations;

namespace Waylay.Inject.Tests.Annotations;

public sealed class PrometheusScrapeTests
{
    [Fact]
    public void Add_PointsAtTheProxysMetricsPort()
    {
        var annotations = new JsonObject { ["team"] = "a" };
        PrometheusScrape.Add(annotations, 15090);
        Assert.Equal("""{"team":"a","prometheus.io/scrape":"true","prometheus.io/port":"15090","prometheus.io/path":"/stats/prometheus"}""", annotations.ToJsonString());
    }

    [Theory]
    [InlineData("prometheus.io/scrape", "false")]
    [InlineData("prometheus.io/port", "9102")]
    [InlineData("prometheus.io.path", "/metrics")]
    [InlineData("prometheus-io/scrape", "true")]
    public void Add_LeavesAPodThatSetsAnyOfThemAlone(string key, string value)
    {
        var annotations = new JsonObject { [key] = value };
        PrometheusScrape.Add(annotations, 15090);
        Assert.Single(annotations);
    }

    [Fact]
    public void Remove_TakesOffOnlyWhatPointsAtTheRemovedSidecar()
    {
        var ours = new JsonObject();
        PrometheusScrape.Add(ours, 15090);
        PrometheusScrape.Remove(ours, new HashSet<string> { "15090", "15021" }, istioInjected: false, istioAppAnnotations: null);
        Assert.Empty(ours);

        var apps = new JsonObject { ["prometheus.io/scrape"] = "true", ["prometheus.io/port"] = "9102", ["prometheus.io/path"] = "/stats/prometheus" };
        PrometheusScrape.Remove(apps, new HashSet<string> { "15090" }, istioInjected: false, istioAppAnnotations: null);
        Assert.Equal(3, apps.Count);
    }

    [Fact]
    public void Remove_AfterIstio_GivesBackTheAppsOwnAnnotations()
    {
        var annotations = new JsonObject { ["prometheus.io/port"] = "15020", ["prometheus.io/path"] = "/stats/prometheus", ["prometheus.io/scrape"] = "true" };
        PrometheusScrape.Remove(annotations, new HashSet<string> { "15090" }, istioInjected: true, istioAppAnnotations: """{"scrape":"true","port":"9102","path":""}""");
        Assert.Equal("""{"prometheus.io/scrape":"true","prometheus.io/port":"9102"}""", annotations.ToJsonString());
    }
}
