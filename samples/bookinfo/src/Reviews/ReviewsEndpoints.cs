using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Waylay.Samples.Bookinfo.Peers;

namespace Waylay.Samples.Bookinfo.Reviews;

/// <summary>
/// reviews: two reviews of the book, and in v2/v3 the stars from ratings. <c>GET /reviews/{id}</c> (a number, else
/// 404) and <c>GET /health</c>. The answer names the pod that served it (<c>podname</c>), which productpage shows
/// as "Reviews served by:", so a user can see routing happen. When ratings fails or is slower than the timeout
/// (10 s for black stars, 2.5 s for red, as in Istio) each review carries "Ratings service is currently unavailable".
/// </summary>
internal static class ReviewsEndpoints
{
    internal const string RatingsUnavailable = "Ratings service is currently unavailable";

    private static readonly (string Reviewer, string Text)[] Texts =
    [
        ("Reviewer1", "An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!"),
        ("Reviewer2", "Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare."),
    ];

    public static void Map(WebApplication app, BookinfoOptions options)
    {
        app.MapGet("/health", () => JsonAnswer.Status("Reviews is healthy"));
        app.MapGet("/reviews/{productId:int}", async (int productId, HttpContext context, PeerClient peers) =>
        {
            JsonObject? ratings = null;
            if (options.Stars.Enabled)
            {
                var headers = PropagatedHeaders.Select(context.Request.Headers, PropagatedHeaders.FromReviews);
                var answer = await peers.GetAsync(options.Peers.Ratings, $"ratings/{productId}", headers, context.RequestAborted);
                ratings = answer.IsOk ? answer.Body!["ratings"] as JsonObject : null;
            }

            return JsonAnswer.Of(Answer(productId, options, ratings));
        });
    }

    private static JsonObject Answer(int productId, BookinfoOptions options, JsonObject? ratings)
    {
        var reviews = new JsonArray();
        foreach (var (reviewer, text) in Texts)
        {
            var review = new JsonObject { ["reviewer"] = reviewer, ["text"] = text };
            if (options.Stars.Enabled)
            {
                review["rating"] = ratings?[reviewer] is JsonValue stars && stars.TryGetValue<int>(out var count)
                    ? new JsonObject { ["stars"] = count, ["color"] = options.Stars.Color }
                    : new JsonObject { ["error"] = RatingsUnavailable };
            }

            reviews.Add(review);
        }

        // Istio's reviews writes the id as a string and an unset CLUSTER_NAME as "null"; productpage relies on both.
        return new JsonObject
        {
            ["id"] = productId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["podname"] = options.PodName,
            ["clustername"] = options.ClusterName,
            ["reviews"] = reviews,
        };
    }
}
