using System.Net;
using System.Text.Json.Nodes;
using static Waylay.Samples.Tests.Bookinfo.Http;

namespace Waylay.Samples.Tests.Bookinfo;

/// <summary>reviews v1/v2/v3 and what reaches ratings: the JSON they answer, and ratings failing or too slow (Istio's abort and delay tasks).</summary>
[Collection(BookinfoCollection.Name)]
public sealed class ReviewsTests(BookinfoFixture bookinfo)
{
    [Theory]
    [InlineData("v1", null)]
    [InlineData("v2", "black")]
    [InlineData("v3", "red")]
    public async Task Reviews_AnswerIstiosJson_WithTheVersionsStars(string version, string? color)
    {
        var json = JsonNode.Parse(await GetStringAsync(bookinfo.Reviews[version].Url, "reviews/0"))!;

        Assert.Equal("0", json["id"]!.GetValue<string>());
        Assert.Equal($"reviews-{version}-test", json["podname"]!.GetValue<string>());
        Assert.Equal("null", json["clustername"]!.GetValue<string>());
        var reviews = json["reviews"]!.AsArray();
        Assert.Equal(["Reviewer1", "Reviewer2"], reviews.Select(r => r!["reviewer"]!.GetValue<string>()));
        Assert.Equal("An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!", reviews[0]!["text"]!.GetValue<string>());
        if (color is null)
        {
            Assert.All(reviews, r => Assert.Null(r!["rating"]));
        }
        else
        {
            Assert.Equal([5, 4], reviews.Select(r => r!["rating"]!["stars"]!.GetValue<int>()));
            Assert.All(reviews, r => Assert.Equal(color, r!["rating"]!["color"]!.GetValue<string>()));
        }
    }

    [Fact]
    public async Task Reviews_RefusesWhatIsNotAProductNumber_AndIsHealthy()
    {
        using var response = await SendAsync(HttpMethod.Get, bookinfo.Reviews["v1"].Url, "reviews/abc", []);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Reviews is healthy", JsonNode.Parse(await GetStringAsync(bookinfo.Reviews["v1"].Url, "health"))!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task RatingsFailing_ShowsRatingsUnavailable_ForJasonOnly_AndHisHeadersReachRatings()
    {
        // Istio's abort task: ratings answers 500 to jason (the mesh matches end-user), everyone else gets stars.
        await using var ratings = await TestPeer.AnsweringAsync(_ => (200, "{\"id\":0,\"ratings\":{\"Reviewer1\":5,\"Reviewer2\":4}}"));
        await using var jasonsRatings = await TestPeer.AnsweringAsync(_ => (500, "fault filter abort"));
        await using var reviews = await BookinfoProcess.StartAsync("reviews", [.. jasonsRatings.AsPeer("ratings")], "--version", "v2");
        await using var productpage = await BookinfoProcess.StartAsync("productpage", [.. bookinfo.Details.AsPeer("details"), .. reviews.AsPeer("reviews")]);
        using var login = await SendAsync(HttpMethod.Post, productpage.Url, "login", [], new FormUrlEncodedContent([new("username", "jason")]));
        var session = Cookie(login, "session");

        var page = await GetStringAsync(productpage.Url, "productpage", ("Cookie", session), ("x-request-id", "req-jason-1"), ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));

        Assert.Equal(2, Count(page, "<p><i>Ratings service is currently unavailable</i></p>"));
        Assert.DoesNotContain("glyphicon-star", page, StringComparison.Ordinal);
        Assert.Contains("<h4>Book Reviews</h4>", page, StringComparison.Ordinal);
        var call = Assert.Single(jasonsRatings.Requests);
        Assert.Equal("/ratings/0", call.Path);
        Assert.Equal("jason", call.Headers["end-user"]);
        Assert.Equal("req-jason-1", call.Headers["x-request-id"]);
        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", call.Headers["traceparent"]);
        Assert.Equal(session, call.Headers["cookie"]);
        Assert.Empty(ratings.Requests);
    }

    [Fact]
    public async Task RatingsSlowerThanTheTimeout_ShowsRatingsUnavailable()
    {
        // Istio's delay task from reviews' side: red stars (v3) wait 2.5 s for ratings; here 200 ms, and ratings never answers.
        await using var ratings = await TestPeer.NeverAnsweringAsync();
        await using var reviews = await BookinfoProcess.StartAsync("reviews", [.. ratings.AsPeer("ratings")], "--version", "v3", "--timeout", "200ms");

        var json = JsonNode.Parse(await GetStringAsync(reviews.Url, "reviews/0"))!;

        Assert.All(json["reviews"]!.AsArray(), r => Assert.Equal("Ratings service is currently unavailable", r!["rating"]!["error"]!.GetValue<string>()));
    }

    [Fact]
    public async Task StarColourAndRatings_FollowIstiosEnvironment()
    {
        await using var reviews = await BookinfoProcess.StartAsync("reviews", [.. bookinfo.Ratings.AsPeer("ratings"), new("STAR_COLOR", "blue"), new("SERVICE_VERSION", "v2")]);

        var json = JsonNode.Parse(await GetStringAsync(reviews.Url, "reviews/7"))!;

        Assert.Equal("7", json["id"]!.GetValue<string>());
        Assert.All(json["reviews"]!.AsArray(), r => Assert.Equal("blue", r!["rating"]!["color"]!.GetValue<string>()));
    }
}
