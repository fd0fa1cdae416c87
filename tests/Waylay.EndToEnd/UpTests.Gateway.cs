using System.Net;
using System.Net.Http;
using Waylay.TestKit;
using Xunit;

namespace Waylay.EndToEnd;

public sealed partial class UpTests
{
    private static readonly string BookinfoGateway = Path.Combine(Root, "samples", "bookinfo", "networking", "bookinfo-gateway.yaml");

    /// <summary>
    /// Istio's tutorial on Waylay: bookinfo.yaml and Istio's bookinfo-gateway.yaml, unchanged. The printed URL goes
    /// through Istio's ingress gateway (istio-system/istio-ingressgateway, running <c>waylay proxy --gateway</c>),
    /// whose access log shows each page it routed to productpage and the paths the VirtualService does not admit.
    /// </summary>
    [NetnsFact]
    public async Task UpBookinfoWithItsGateway_ServesThePageThroughTheIngressGateway_AndItsVirtualServiceDecidesWhatGetsIn()
    {
        var run = RunId.Value + "g";
        try
        {
            var up = await WaylayCli.RunAsync("up", Bookinfo, BookinfoGateway, "--run", run);
            Assert.True(up.Succeeded, up.Diagnostic);
            var url = UrlPattern().Match(up.StandardOutput);
            Assert.True(url.Success, up.StandardOutput);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var page = await GetPageAsync(http, url.Value);
            Assert.Contains("The Comedy of Errors", page, StringComparison.Ordinal);
            using (var outside = await http.GetAsync(url.Value.Replace("/productpage", "/details/0", StringComparison.Ordinal)))
            {
                Assert.Equal(HttpStatusCode.NotFound, outside.StatusCode); // not a path bookinfo-gateway.yaml lets in
            }

            var ps = await WaylayCli.RunAsync("ps", run);
            Assert.Matches(@"istio-system\s+istio-ingressgateway-\S+\s+true\s+Ready", ps.StandardOutput);

            var pods = Path.Combine("/run/waylay", run, "pods");
            var gateway = Directory.GetDirectories(pods, "istio-ingressgateway-*").Single();
            var log = await File.ReadAllTextAsync(Path.Combine(gateway, "logs", "istio-proxy.log"));
            Assert.Matches(@"""GET /productpage HTTP/1\.1"" 200 - .* outbound\|9080\|\|productpage\.default\.svc\.cluster\.local", log);
            Assert.Contains("\"GET /details/0 HTTP/1.1\" 404 NR", log, StringComparison.Ordinal);
        }
        finally
        {
            var down = await WaylayCli.RunAsync("down", run);
            Assert.True(down.Succeeded, down.Diagnostic);
        }

        Assert.False(Directory.Exists(Path.Combine("/run/waylay", run)));
    }
}
