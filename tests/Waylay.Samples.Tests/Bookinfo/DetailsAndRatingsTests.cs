using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using static Waylay.Samples.Tests.Bookinfo.Http;

namespace Waylay.Samples.Tests.Bookinfo;

/// <summary>details and ratings: the JSON Istio's Bookinfo answers, their errors and health.</summary>
[Collection(BookinfoCollection.Name)]
public sealed class DetailsAndRatingsTests(BookinfoFixture bookinfo)
{
    [Fact]
    public async Task Details_AnswersTheBook_ForAnyNumericId()
    {
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ProductpageTests.DetailsJson), JsonNode.Parse(await GetStringAsync(bookinfo.Details.Url, "details/0"))));
        Assert.Equal(3, JsonNode.Parse(await GetStringAsync(bookinfo.Details.Url, "details/3"))!["id"]!.GetValue<int>());
        Assert.Equal("Details is healthy", JsonNode.Parse(await GetStringAsync(bookinfo.Details.Url, "health"))!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Details_RefusesANonNumericId_WithIstiosError()
    {
        using var response = await SendAsync(HttpMethod.Get, bookinfo.Details.Url, "details/abc", []);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/json", ContentType(response)!.MediaType);
        Assert.Equal("please provide numeric product id", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ratings_AnswersFiveAndFourStars_AndKeepsPostedRatings()
    {
        await using var ratings = await BookinfoProcess.StartAsync("ratings");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("{\"id\":0,\"ratings\":{\"Reviewer1\":5,\"Reviewer2\":4}}"), JsonNode.Parse(await GetStringAsync(ratings.Url, "ratings/0"))));

        using var posted = await SendAsync(HttpMethod.Post, ratings.Url, "ratings/1", [], new StringContent("{\"Reviewer1\":1,\"Reviewer2\":2}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        var expected = JsonNode.Parse("{\"id\":1,\"ratings\":{\"Reviewer1\":1,\"Reviewer2\":2}}");
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(await posted.Content.ReadAsStringAsync())));
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(await GetStringAsync(ratings.Url, "ratings/1"))));
        Assert.Equal(5, JsonNode.Parse(await GetStringAsync(ratings.Url, "ratings/0"))!["ratings"]!["Reviewer1"]!.GetValue<int>());
    }

    [Fact]
    public async Task Ratings_RefusesBadInput_AndIsHealthy()
    {
        using var notNumeric = await SendAsync(HttpMethod.Get, bookinfo.Ratings.Url, "ratings/abc", []);
        Assert.Equal(HttpStatusCode.BadRequest, notNumeric.StatusCode);
        Assert.Equal("please provide numeric product ID", JsonNode.Parse(await notNumeric.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());

        using var notJson = await SendAsync(HttpMethod.Post, bookinfo.Ratings.Url, "ratings/2", [], new StringContent("{not json", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("please provide valid ratings JSON", JsonNode.Parse(await notJson.Content.ReadAsStringAsync())!["error"]!.GetValue<string>());

        Assert.Equal("Ratings is healthy", JsonNode.Parse(await GetStringAsync(bookinfo.Ratings.Url, "health"))!["status"]!.GetValue<string>());
    }
}
