using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Waylay.Samples.Bookinfo.Details;

/// <summary>
/// details: the book's facts. <c>GET /details/{id}</c> answers for any numeric id (the last path segment, as Istio's
/// details reads it) and 400 with an error otherwise; <c>GET /health</c>.
/// </summary>
internal static class DetailsEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/health", () => JsonAnswer.Status("Details is healthy"));
        app.MapGet("/details/{**rest}", (HttpContext context) =>
        {
            var last = context.Request.Path.Value!.TrimEnd('/').Split('/')[^1];
            return int.TryParse(last, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id)
                ? JsonAnswer.Of(Book(id))
                : JsonAnswer.Error("please provide numeric product id", StatusCodes.Status400BadRequest);
        });
    }

    /// <summary>Every id gets the same book: the sample has one.</summary>
    internal static JsonObject Book(int id) => new()
    {
        ["id"] = id,
        ["author"] = "William Shakespeare",
        ["year"] = 1595,
        ["type"] = "paperback",
        ["pages"] = 200,
        ["publisher"] = "PublisherA",
        ["language"] = "English",
        ["ISBN-10"] = "1234567890",
        ["ISBN-13"] = "123-1234567890",
    };
}
