using System.Text.Json.Nodes;
using Waylay.Diagnostics.Proxy;

namespace Waylay.Diagnostics.Tests.Proxy;

/// <summary>
/// proxy-status's verdict per type from the two views it joins, in the shapes the control plane's /debug/syncz and
/// the proxy's /config_dump write them (a running mesh shows SYNCED end to end in tests/Waylay.EndToEnd/ProxyConfigTests.cs;
/// the states a healthy mesh never shows are checked here).
/// </summary>
public sealed class ProxyStatusTests
{
    private static JsonObject Syncz(string status, string sent, string acked, string? nack = null) => new()
    {
        ["proxy"] = "reviews-v1.default",
        ["types"] = new JsonObject
        {
            ["routes"] = new JsonObject { ["sent"] = sent, ["acked"] = acked, ["status"] = status, ["nackError"] = nack },
            ["services"] = new JsonObject { ["sent"] = "", ["acked"] = "", ["status"] = "STALE" },
        },
    };

    private static JsonObject Discovery(string routes) => new()
    {
        ["connected"] = true,
        ["runningVersion"] = routes,
        ["versions"] = new JsonObject { ["routes"] = routes },
    };

    [Fact]
    public void AckedAndRunning_IsSynced_NotSentYet_IsNotSent()
    {
        var row = ProxyStatus.Row("reviews-v1", "default", Syncz("SYNCED", "7", "7"), Discovery("7"), null);
        Assert.Equal("SYNCED", (string?)row["types"]!["routes"]!["status"]);
        Assert.Equal("NOT SENT", (string?)row["types"]!["services"]!["status"]);
        Assert.Equal("reviews-v1.default", (string?)row["proxy"]);
    }

    [Fact]
    public void AckedOnTheServer_ButTheProxyRunsAnotherVersion_IsStale()
    {
        var row = ProxyStatus.Row("reviews-v1", "default", Syncz("SYNCED", "7", "7"), Discovery("6"), null);
        Assert.Equal("STALE", (string?)row["types"]!["routes"]!["status"]);
    }

    [Fact]
    public void Refused_IsNack_WithTheProxysError_AndTheVersionItKeeps()
    {
        var row = ProxyStatus.Row("reviews-v1", "default", Syncz("NACKED", "8", "7", "spec.http[0] …"), Discovery("7"), null);
        var routes = row["types"]!["routes"]!;
        Assert.Equal("NACK", (string?)routes["status"]);
        Assert.Equal("spec.http[0] …", (string?)routes["nackError"]);
        Assert.Equal("7", (string?)routes["running"]);
    }

    [Fact]
    public void MissingFromSyncz_IsNotConnected_AndTheProxysErrorIsKept()
    {
        var proxy = Discovery("7");
        proxy["connected"] = false;
        proxy["lastError"] = "Unavailable: connection refused";
        var row = ProxyStatus.Row("reviews-v1", "default", null, proxy, null);
        Assert.Equal("NOT CONNECTED", (string?)row["types"]!["routes"]!["status"]);
        Assert.False((bool?)row["connected"]);
        Assert.Equal("Unavailable: connection refused", (string?)row["error"]);
    }
}
