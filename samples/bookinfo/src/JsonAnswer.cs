using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Waylay.Samples.Bookinfo;

/// <summary>A JSON body with a status, the way every Bookinfo service answers (property order kept as written).</summary>
internal static class JsonAnswer
{
    public static IResult Of(JsonNode? body, int status = StatusCodes.Status200OK) =>
        Results.Content(body?.ToJsonString() ?? "null", "application/json", statusCode: status);

    public static IResult Error(string message, int status) => Of(new JsonObject { ["error"] = message }, status);

    public static IResult Status(string message, int status = StatusCodes.Status200OK) => Of(new JsonObject { ["status"] = message }, status);
}
