using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Waylay.Samples.Bookinfo.Ratings;

/// <summary>
/// ratings v1: the stars each reviewer gave. <c>GET /ratings/{id}</c> answers Reviewer1: 5, Reviewer2: 4 unless a
/// <c>POST /ratings/{id}</c> stored others (kept in memory, as Istio's v1 does); a product id that is not a number is
/// a 400; <c>GET /health</c>.
/// </summary>
internal static class RatingsEndpoints
{
    public static void Map(WebApplication app)
    {
        var posted = new ConcurrentDictionary<int, JsonNode>();
        app.MapGet("/health", () => JsonAnswer.Status("Ratings is healthy"));
        app.MapGet("/ratings/{**rest}", (HttpContext context) =>
            ProductId(context) is { } id
                ? JsonAnswer.Of(new JsonObject { ["id"] = id, ["ratings"] = posted.TryGetValue(id, out var r) ? r.DeepClone() : Default() })
                : NotNumeric());
        app.MapPost("/ratings/{**rest}", async (HttpContext context) =>
        {
            if (ProductId(context) is not { } id)
            {
                return NotNumeric();
            }

            JsonNode? ratings;
            try
            {
                ratings = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            }
            catch (JsonException)
            {
                ratings = null;
            }

            if (ratings is null)
            {
                return JsonAnswer.Error("please provide valid ratings JSON", StatusCodes.Status400BadRequest);
            }

            posted[id] = ratings;
            return JsonAnswer.Of(new JsonObject { ["id"] = id, ["ratings"] = ratings.DeepClone() });
        });
    }

    private static JsonObject Default() => new() { ["Reviewer1"] = 5, ["Reviewer2"] = 4 };

    private static IResult NotNumeric() => JsonAnswer.Error("please provide numeric product ID", StatusCodes.Status400BadRequest);

    /// <summary>The leading digits of the last path segment (JavaScript's parseInt, which Istio's ratings uses); null when there are none.</summary>
    private static int? ProductId(HttpContext context)
    {
        var last = context.Request.Path.Value!.Split('/')[^1];
        var digits = 0;
        while (digits < last.Length && digits < 9 && char.IsAsciiDigit(last[digits]))
        {
            digits++;
        }

        return digits == 0 ? null : int.Parse(last.AsSpan(0, digits), provider: System.Globalization.CultureInfo.InvariantCulture);
    }
}
