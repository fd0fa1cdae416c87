using System.Net;
using System.Net.Http;
using Waylay.TestKit;
using Xunit;

namespace Waylay.EndToEnd;

public sealed partial class UpTests
{
    private static readonly string Networking = Path.Combine(Root, "samples", "bookinfo", "networking");

    /// <summary>
    /// Istio's request routing and fault injection tasks on a running mesh, through the real CLI: every sidecar gets
    /// its config from the control plane <c>waylay up</c> runs (<c>waylay-system/waylay-control</c>, reached at the
    /// <c>--discoveryAddress</c> the injector wrote), and <c>waylay apply -f</c> of a routing object reaches the
    /// sidecars live. Each step waits (bounded) until the page says what the rule means, then checks it holds.
    /// </summary>
    [NetnsFact]
    public async Task UpBookinfo_ApplyRoutingRules_TakeEffectLive_AllV1_ThenJasonSeesV2_ThenJasonsRatingsDelayed()
    {
        var run = RunId.Value + "r";
        try
        {
            var up = await WaylayCli.RunAsync("up", Bookinfo, Path.Combine(Networking, "destination-rule-all.yaml"), "--run", run);
            Assert.True(up.Succeeded, up.Diagnostic);
            Assert.Contains("streamed by the control plane waylay-system/waylay-control", up.StandardOutput, StringComparison.Ordinal);
            var url = UrlPattern().Match(up.StandardOutput).Value;
            var ps = await WaylayCli.RunAsync("ps", run);
            Assert.Matches(@"waylay-system\s+waylay-control-\S+\s+true\s+Ready", ps.StandardOutput);

            using var anonymous = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var apply = await WaylayCli.RunAsync("apply", "-f", Path.Combine(Networking, "virtual-service-all-v1.yaml"), "--run", run);
            Assert.True(apply.Succeeded, apply.Diagnostic);
            Assert.Contains("routing objects sent to the control plane", apply.StandardOutput, StringComparison.Ordinal);
            await UntilEveryPageAsync(anonymous, url, page => ReviewsPattern().Match(page).Groups[1].Value == "v1" && !page.Contains("glyphicon-star", StringComparison.Ordinal));

            using var jason = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { Timeout = TimeSpan.FromSeconds(30) };
            using (var login = await jason.PostAsync(url.Replace("/productpage", "/login", StringComparison.Ordinal), new FormUrlEncodedContent([KeyValuePair.Create("username", "jason")])))
            {
                Assert.True(login.IsSuccessStatusCode, $"login: {(int)login.StatusCode}");
            }

            apply = await WaylayCli.RunAsync("apply", "-f", Path.Combine(Networking, "virtual-service-reviews-test-v2.yaml"), "--run", run);
            Assert.True(apply.Succeeded, apply.Diagnostic);
            await UntilEveryPageAsync(jason, url, page => ReviewsPattern().Match(page).Groups[1].Value == "v2" && page.Contains("<font color=\"black\">", StringComparison.Ordinal));
            await UntilEveryPageAsync(anonymous, url, page => ReviewsPattern().Match(page).Groups[1].Value == "v1"); // everyone else stays on v1

            apply = await WaylayCli.RunAsync("apply", "-f", Path.Combine(Networking, "virtual-service-ratings-test-delay.yaml"), "--run", run);
            Assert.True(apply.Succeeded, apply.Diagnostic);
            await UntilEveryPageAsync(jason, url, page => page.Contains("Sorry, product reviews are currently unavailable for this book.", StringComparison.Ordinal), pages: 2);
        }
        finally
        {
            var down = await WaylayCli.RunAsync("down", run);
            Assert.True(down.Succeeded, down.Diagnostic);
        }

        Assert.False(Directory.Exists(Path.Combine("/run/waylay", run)));
    }

    /// <summary>
    /// Waits (bounded) for a page that satisfies <paramref name="want"/>, then requires the next
    /// <paramref name="pages"/> to as well: a rule in force, not a lucky pick of the balancer.
    /// </summary>
    private static async Task UntilEveryPageAsync(HttpClient http, string url, Func<string, bool> want, int pages = 6)
    {
        var last = "";
        for (var attempt = 0; attempt < 60; attempt++)
        {
            last = await PageOrErrorAsync(http, url);
            if (want(last))
            {
                for (var i = 0; i < pages; i++)
                {
                    var page = await PageOrErrorAsync(http, url);
                    Assert.True(want(page), $"the rule held, then not: {page}");
                }

                return;
            }

            await Task.Delay(500);
        }

        Assert.Fail($"{url} never showed the rule in force; last page: {last}");
    }

    private static async Task<string> PageOrErrorAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(url);
            return $"{(int)response.StatusCode}\n{await response.Content.ReadAsStringAsync()}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return e.Message;
        }
    }
}
