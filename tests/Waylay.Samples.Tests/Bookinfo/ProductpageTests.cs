using System.Net;
using System.Text.Json.Nodes;
using static Waylay.Samples.Tests.Bookinfo.Http;

namespace Waylay.Samples.Tests.Bookinfo;

/// <summary>
/// productpage against the real details, reviews and ratings (and test peers where a failure is needed), checked
/// for what Istio's Bookinfo documentation shows: stars by reviews version, the signed-in user reaching reviews as
/// <c>end-user</c>, the error texts, the retried reviews call and the forwarded headers.
/// </summary>
[Collection(BookinfoCollection.Name)]
public sealed class ProductpageTests(BookinfoFixture bookinfo)
{
    [Theory]
    [InlineData("v1", null)]
    [InlineData("v2", "black")]
    [InlineData("v3", "red")]
    public async Task Page_ShowsTheReviewsOfEachVersion_NoStarsBlackOrRed(string version, string? color)
    {
        var page = await GetStringAsync(bookinfo.Productpage[version].Url, "productpage");

        Assert.Contains("<title>Simple Bookstore App</title>", page, StringComparison.Ordinal);
        Assert.Contains("The Comedy of Errors", page, StringComparison.Ordinal);
        Assert.Contains("<h4>Book Details</h4>", page, StringComparison.Ordinal);
        Assert.Contains("<dt>Type:</dt>paperback", page, StringComparison.Ordinal);
        Assert.Contains("<dt>ISBN-13:</dt>123-1234567890", page, StringComparison.Ordinal);
        Assert.Contains("<h4>Book Reviews</h4>", page, StringComparison.Ordinal);
        Assert.Contains("<small>Reviewer1</small>", page, StringComparison.Ordinal);
        Assert.Contains("<small>Reviewer2</small>", page, StringComparison.Ordinal);
        Assert.Contains($"<dt>Reviews served by:</dt>\n<u>reviews-{version}-test</u>", page, StringComparison.Ordinal);
        if (color is null)
        {
            Assert.DoesNotContain("glyphicon-star", page, StringComparison.Ordinal);
            Assert.DoesNotContain("<font color=", page, StringComparison.Ordinal);
        }
        else
        {
            // Reviewer1 gave 5 stars, Reviewer2 4: nine full stars and one empty, all in the version's colour.
            Assert.Equal(2, Count(page, $"<font color=\"{color}\">"));
            Assert.Equal(2, Count(page, "<font color="));
            Assert.Equal(9, Count(page, "class=\"glyphicon glyphicon-star\""));
            Assert.Equal(1, Count(page, "class=\"glyphicon glyphicon-star-empty\""));
        }
    }

    [Fact]
    public async Task Login_PutsTheUserInTheSession_AndEveryCallCarriesEndUser_UntilLogout()
    {
        await using var reviews = await TestPeer.AnsweringAsync(_ => (200, ReviewsJson("reviews-v2-peer")));
        await using var productpage = await BookinfoProcess.StartAsync("productpage", [.. bookinfo.Details.AsPeer("details"), .. reviews.AsPeer("reviews")]);

        var before = await GetStringAsync(productpage.Url, "productpage");
        Assert.Contains("<form method=\"post\" action=\"login\" name=\"login_form\">", before, StringComparison.Ordinal);
        Assert.DoesNotContain("end-user", Assert.Single(reviews.Requests).Headers.Keys);

        using var login = await SendAsync(HttpMethod.Post, productpage.Url, "login", [("Referer", $"{productpage.Url}productpage")],
            new FormUrlEncodedContent([new("username", "jason"), new("passwd", "")]));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal($"{productpage.Url}productpage", login.Headers.Location!.ToString());
        var session = Cookie(login, "session");

        var signedIn = await GetStringAsync(productpage.Url, "productpage", ("Cookie", session));
        Assert.Contains("jason ( <a href=\"logout\">sign out</a> )", signedIn, StringComparison.Ordinal);
        Assert.Contains("<u>reviews-v2-peer</u>", signedIn, StringComparison.Ordinal);
        var call = reviews.Requests.Last();
        Assert.Equal("/reviews/0", call.Path);
        Assert.Equal("jason", call.Headers["end-user"]);
        Assert.Equal(session, call.Headers["cookie"]);

        // The API calls carry it too: Istio's rules match the header, whichever page made the call.
        using var api = await SendAsync(HttpMethod.Get, productpage.Url, "api/v1/products/0/reviews", [("Cookie", session)]);
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Equal("jason", reviews.Requests.Last().Headers["end-user"]);

        using var logout = await SendAsync(HttpMethod.Get, productpage.Url, "logout", [("Cookie", session), ("Referer", $"{productpage.Url}productpage")]);
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        var cleared = Cookie(logout, "session");
        var after = await GetStringAsync(productpage.Url, "productpage", ("Cookie", cleared));
        Assert.DoesNotContain("sign out", after, StringComparison.Ordinal);
        Assert.DoesNotContain("end-user", reviews.Requests.Last().Headers.Keys);
    }

    [Fact]
    public async Task UserName_IsShownEncoded_AndReachesReviewsAsWritten()
    {
        await using var reviews = await TestPeer.AnsweringAsync(_ => (200, ReviewsJson("reviews-v1-peer")));
        await using var productpage = await BookinfoProcess.StartAsync("productpage", [.. bookinfo.Details.AsPeer("details"), .. reviews.AsPeer("reviews")]);
        using var login = await SendAsync(HttpMethod.Post, productpage.Url, "login", [], new FormUrlEncodedContent([new("username", "José <b>")]));

        var page = await GetStringAsync(productpage.Url, "productpage", ("Cookie", Cookie(login, "session")));

        Assert.Contains("Jos&#233; &lt;b&gt; ( <a href=\"logout\">sign out</a> )", page, StringComparison.Ordinal);
        Assert.Contains("<h4>Book Details</h4>", page, StringComparison.Ordinal);
        Assert.Equal("José <b>", Assert.Single(reviews.Requests).Headers["end-user"]);
    }

    [Fact]
    public async Task ForgedSession_IsNotASignedInUser()
    {
        await using var reviews = await TestPeer.AnsweringAsync(_ => (200, ReviewsJson("reviews-v1-peer")));
        await using var productpage = await BookinfoProcess.StartAsync("productpage", [.. bookinfo.Details.AsPeer("details"), .. reviews.AsPeer("reviews")]);

        // "jason" in base64url, with a signature the server never made.
        var page = await GetStringAsync(productpage.Url, "productpage", ("Cookie", "session=amFzb24.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));

        Assert.DoesNotContain("sign out", page, StringComparison.Ordinal);
        Assert.DoesNotContain("end-user", Assert.Single(reviews.Requests).Headers.Keys);
    }

    [Fact]
    public async Task Login_WithoutAUsername_IsRefusedWithTheFix()
    {
        using var response = await SendAsync(HttpMethod.Post, bookinfo.Productpage["v1"].Url, "login", [], new FormUrlEncodedContent([new("passwd", "x")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("username", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task TracingAndRequestHeaders_AreForwardedToDetailsAndReviews_OthersAreNot()
    {
        await using var details = await TestPeer.AnsweringAsync(_ => (200, DetailsJson));
        await using var reviews = await TestPeer.AnsweringAsync(_ => (200, ReviewsJson("reviews-v1-peer")));
        await using var productpage = await BookinfoProcess.StartAsync("productpage", [.. details.AsPeer("details"), .. reviews.AsPeer("reviews")]);
        (string, string)[] forwarded =
        [
            ("x-request-id", "3f5b9a2c-7e61-4c1f-9d0a-5b8e2f7c1a44"),
            ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            ("tracestate", "congo=t61rcWkgMzE"),
            ("x-b3-traceid", "80f198ee56343ba864fe8b2a57d3eff7"),
            ("x-b3-spanid", "e457b5a2e4d86bd1"),
            ("x-b3-parentspanid", "05e3ac9a4f6e3b90"),
            ("x-b3-sampled", "1"),
            ("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90"),
            ("user-agent", "bookinfo-test/1.0"),
            ("authorization", "Bearer abc"),
        ];

        await GetStringAsync(productpage.Url, "productpage", [.. forwarded, ("x-not-propagated", "no"), ("end-user", "mallory")]);

        foreach (var peer in new[] { details, reviews })
        {
            var request = Assert.Single(peer.Requests);
            foreach (var (name, value) in forwarded)
            {
                Assert.Equal(value, request.Headers.GetValueOrDefault(name));
            }

            Assert.False(request.Headers.ContainsKey("x-not-propagated"));
            // end-user comes from productpage's own session, never from the caller.
            Assert.False(request.Headers.ContainsKey("end-user"));
        }

        Assert.Equal("/details/0", details.Requests.Single().Path);
    }

    [Fact]
    public async Task ReviewsFailingTwice_ShowsReviewsUnavailable()
    {
        await using var reviews = await TestPeer.AnsweringAsync(_ => (503, "{\"error\":\"upstream connect error\"}"));
        await using var productpage = await BookinfoProcess.StartAsync("productpage", [.. bookinfo.Details.AsPeer("details"), .. reviews.AsPeer("reviews")]);

        var page = await GetStringAsync(productpage.Url, "productpage");

        Assert.Contains("<h4>Error fetching product reviews!</h4>", page, StringComparison.Ordinal);
        Assert.Contains("<p>Sorry, product reviews are currently unavailable for this book.</p>", page, StringComparison.Ordinal);
        Assert.Contains("<h4>Book Details</h4>", page, StringComparison.Ordinal);
        Assert.Equal(2, reviews.Requests.Count);

        using var api = await SendAsync(HttpMethod.Get, productpage.Url, "api/v1/products/0/reviews", []);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
        Assert.Equal("Sorry, product reviews are currently unavailable for this book.", JsonNode.Parse(await api.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReviewsFailingOnce_IsAskedAgain_AndThePageShowsTheReviews()
    {
        await using var reviews = await TestPeer.AnsweringAsync(attempt => attempt == 1 ? (500, "{}") : (200, ReviewsJson("reviews-v1-second")));
        await using var productpage = await BookinfoProcess.StartAsync("productpage", [.. bookinfo.Details.AsPeer("details"), .. reviews.AsPeer("reviews")]);

        var page = await GetStringAsync(productpage.Url, "productpage");

        Assert.Contains("<u>reviews-v1-second</u>", page, StringComparison.Ordinal);
        Assert.Equal(2, reviews.Requests.Count);
    }

    [Fact]
    public async Task ReviewsSlowerThanTheTimeout_CountAsFailures()
    {
        // Istio's delay task in small: reviews never answers, productpage gives each of its two tries 200 ms.
        await using var reviews = await TestPeer.NeverAnsweringAsync();
        await using var productpage = await BookinfoProcess.StartAsync("productpage", [.. bookinfo.Details.AsPeer("details"), .. reviews.AsPeer("reviews")], "--timeout", "200ms");

        var page = await GetStringAsync(productpage.Url, "productpage");

        Assert.Contains("Sorry, product reviews are currently unavailable for this book.", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetailsFailing_ShowsErrorFetchingDetails()
    {
        await using var details = await TestPeer.AnsweringAsync(_ => (500, "{\"error\":\"fault filter abort\"}"));
        await using var productpage = await BookinfoProcess.StartAsync("productpage", [.. details.AsPeer("details"), .. bookinfo.Reviews["v1"].AsPeer("reviews")]);

        var page = await GetStringAsync(productpage.Url, "productpage");

        Assert.Contains("<h4>Error fetching product details!</h4>", page, StringComparison.Ordinal);
        Assert.Contains("<p>Sorry, product details are currently unavailable for this book.</p>", page, StringComparison.Ordinal);
        Assert.Contains("<u>reviews-v1-test</u>", page, StringComparison.Ordinal);
        Assert.Single(details.Requests);

        // This productpage has no ratings to ask (a refusing port): the API says so with 500 and its error.
        using var ratings = await SendAsync(HttpMethod.Get, productpage.Url, "api/v1/products/0/ratings", []);
        Assert.Equal(HttpStatusCode.InternalServerError, ratings.StatusCode);
        Assert.Equal("Sorry, product ratings are currently unavailable for this book.", JsonNode.Parse(await ratings.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Api_AnswersTheCatalogueAndThePeersJson()
    {
        var url = bookinfo.Productpage["v2"].Url;

        var products = JsonNode.Parse(await GetStringAsync(url, "api/v1/products"))!.AsArray();
        var product = Assert.Single(products)!;
        Assert.Equal(0, product["id"]!.GetValue<int>());
        Assert.Equal("The Comedy of Errors", product["title"]!.GetValue<string>());
        Assert.StartsWith("<a href=\"https://en.wikipedia.org/wiki/The_Comedy_of_Errors\">", product["descriptionHtml"]!.GetValue<string>(), StringComparison.Ordinal);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(DetailsJson), JsonNode.Parse(await GetStringAsync(url, "api/v1/products/0"))));
        var reviews = JsonNode.Parse(await GetStringAsync(url, "api/v1/products/0/reviews"))!;
        Assert.Equal("reviews-v2-test", reviews["podname"]!.GetValue<string>());
        Assert.Equal(5, reviews["reviews"]![0]!["rating"]!["stars"]!.GetValue<int>());

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("{\"id\":0,\"ratings\":{\"Reviewer1\":5,\"Reviewer2\":4}}"),
            JsonNode.Parse(await GetStringAsync(url, "api/v1/products/0/ratings"))));

        // A product id details refuses: its status comes back with productpage's error.
        using var bad = await SendAsync(HttpMethod.Get, url, "api/v1/products/abc", []);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task HealthAndIndex_AnswerAsIstios()
    {
        Assert.Equal("Product page is healthy", await GetStringAsync(bookinfo.Productpage["v1"].Url, "health"));
        var index = await GetStringAsync(bookinfo.Productpage["v1"].Url, "");
        Assert.Contains("<a href=\"productpage?u=normal\">", index, StringComparison.Ordinal);
        Assert.Equal(index, await GetStringAsync(bookinfo.Productpage["v1"].Url, "index.html"));
    }

    internal const string DetailsJson =
        "{\"id\":0,\"author\":\"William Shakespeare\",\"year\":1595,\"type\":\"paperback\",\"pages\":200,\"publisher\":\"PublisherA\","
        + "\"language\":\"English\",\"ISBN-10\":\"1234567890\",\"ISBN-13\":\"123-1234567890\"}";

    private static string ReviewsJson(string podname) =>
        $"{{\"id\":\"0\",\"podname\":\"{podname}\",\"clustername\":\"null\",\"reviews\":[{{\"reviewer\":\"Reviewer1\",\"text\":\"t1\"}},{{\"reviewer\":\"Reviewer2\",\"text\":\"t2\"}}]}}";
}
